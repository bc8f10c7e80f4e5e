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
    // Errors the server aimed at the status region (HX-Retarget: #messages), and error pages
    // reached by a boosted link or form (a 404, the Danish CSRF/500 page): show them too.
    var retarget = event.detail.xhr.getResponseHeader("HX-Retarget");
    if (status >= 400 && (retarget === "#messages" || event.detail.boosted)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Administration: copy a one-time invitation link (button[data-copy] names the input's id).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () { button.textContent = button.getAttribute("data-copied") || "OK"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
      event.target.select();
    }
  });
})();
