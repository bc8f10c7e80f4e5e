// Opspor visits: the EPDS item-10 prompt appears the moment an answer other than "never" is
// chosen (also offline), as an alert that screen readers announce. Loaded by the visit form;
// safe to load twice (hx-boost runs scripts in swapped pages).
(function () {
  "use strict";
  if (window.opsporVisits) { return; }
  window.opsporVisits = true;

  // The parents ("mor", "far") who answered item 10 with anything but "never", in page order.
  function urgentParents(form) {
    var who = [];
    var groups = form.querySelectorAll("[data-epds-item10]");
    for (var i = 0; i < groups.length; i++) {
      var checked = groups[i].querySelector("input[type=radio]:checked");
      if (checked && checked.value !== "" && checked.value !== groups[i].getAttribute("data-never")) {
        who.push(groups[i].getAttribute("data-parent"));
      }
    }
    return who;
  }

  function update(form) {
    var box = form.querySelector("[data-urgent-box]");
    if (!box) { return; }
    var alertEl = box.querySelector("[data-urgent-alert]");
    var action = box.querySelector("[data-urgent-action]");
    var who = urgentParents(form);
    if (who.length) {
      // The server renders one whole sentence per case (hende / ham / dem, "Mor og far").
      var text = alertEl.getAttribute("data-message-" + who.join("_"));
      if (alertEl.textContent.trim() !== text) {
        alertEl.textContent = "";
        var p = document.createElement("p");
        var strong = document.createElement("strong");
        strong.textContent = text;
        p.appendChild(strong);
        alertEl.appendChild(p);
      }
      box.classList.add("shown");
      action.hidden = false;
      if (box.scrollIntoView) { box.scrollIntoView({ block: "nearest" }); }
    } else {
      alertEl.textContent = "";
      box.classList.remove("shown");
      action.hidden = true;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.closest || !target.closest("[data-epds-item10]")) { return; }
    var form = target.closest("form");
    if (form) { update(form); }
  });
})();
