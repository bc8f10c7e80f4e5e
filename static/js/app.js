// Opspor page script: small progressive enhancements. No inline scripts (CSP).
(function () {
  "use strict";
  // After a boosted navigation or a swap with an error summary, move focus where a
  // screen-reader user needs it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    if (event.detail && event.detail.boosted) {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
  });
  // An HTMX request answered with an error status still shows the server's Danish page
  // fragment (422 forms re-rendered with the user's values, 404/403 messages).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
