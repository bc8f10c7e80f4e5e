// Concerns: copy and print the underretning draft. Loaded by that page only; bound once.
(function () {
  "use strict";
  if (window.opsporConcerns) return;
  window.opsporConcerns = true;

  function reveal() {
    document.querySelectorAll("[data-copy-target], [data-print]").forEach(function (button) {
      if (button.hasAttribute("data-copy-target") && !navigator.clipboard) return;
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSettle", reveal);
  reveal();

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy-target"));
      var status = copy.parentNode.querySelector(".cn-copy-status");
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.innerText).then(function () {
          if (status) status.textContent = copy.getAttribute("data-copied");
        });
      }
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });
})();
