// Påmindelser page: subscribe this device to Web Push. The browser's permission prompt comes
// only after the user taps the button (never on page load). No inline scripts (CSP).
(function () {
  "use strict";

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function isIos() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function isStandalone() {
    return window.navigator.standalone === true ||
      window.matchMedia("(display-mode: standalone)").matches;
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function setup(panel) {
    var status = document.getElementById("push-status");
    var enable = document.getElementById("push-enable");
    var disable = document.getElementById("push-disable");
    var publicKey = panel.getAttribute("data-public-key");
    var csrf = panel.getAttribute("data-csrf");

    function show(state) {
      status.querySelectorAll("[data-state]").forEach(function (el) {
        el.hidden = el.getAttribute("data-state") !== state;
      });
    }

    function buttons(subscribed) {
      enable.hidden = subscribed;
      disable.hidden = !subscribed;
    }

    function post(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response;
      });
    }

    // Marks "(denne enhed)" in the list, matched by a hash: the endpoint is not in the HTML.
    function markThisDevice(endpoint) {
      if (!endpoint || !window.crypto || !crypto.subtle) return;
      crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint)).then(function (digest) {
        var h = hex(digest);
        document.querySelectorAll(".device").forEach(function (li) {
          var mark = li.querySelector(".device-this");
          if (mark) mark.hidden = li.getAttribute("data-endpoint-hash") !== h;
        });
      });
    }

    function reloadDevices() {
      if (window.htmx) {
        return window.htmx.ajax("GET", window.location.pathname, {
          target: "#devices", select: "#devices", swap: "outerHTML",
        });
      }
      return Promise.resolve();
    }

    function registration() {
      return navigator.serviceWorker.getRegistration("/").then(function (reg) {
        if (reg) return reg;
        return navigator.serviceWorker.register("/sw.js", { scope: "/" });
      }).then(function () {
        return navigator.serviceWorker.ready;
      });
    }

    function currentSubscription() {
      return navigator.serviceWorker.getRegistration("/").then(function (reg) {
        return reg ? reg.pushManager.getSubscription() : null;
      });
    }

    function refresh() {
      if (isIos() && !isStandalone()) { show("ios"); return Promise.resolve(); }
      if (!supported()) { show("unsupported"); return Promise.resolve(); }
      if (!publicKey) { show("not-configured"); return Promise.resolve(); }
      if (Notification.permission === "denied") { show("denied"); buttons(false); return Promise.resolve(); }
      return currentSubscription().then(function (sub) {
        show(sub ? "on" : "off");
        buttons(!!sub);
        if (sub) markThisDevice(sub.endpoint);
      }).catch(function () { show("off"); buttons(false); });
    }

    enable.addEventListener("click", function () {
      show("working");
      // The permission prompt belongs to this tap.
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          show(permission === "denied" ? "denied" : "off");
          return null;
        }
        return registration().then(function (reg) {
          return reg.pushManager.getSubscription().then(function (existing) {
            return existing || reg.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: keyBytes(publicKey),
            });
          });
        }).then(function (sub) {
          return post(panel.getAttribute("data-subscribe-url"), sub.toJSON()).then(function () {
            return reloadDevices();
          }).then(function () {
            show("on");
            buttons(true);
            markThisDevice(sub.endpoint);
          });
        });
      }).catch(function () { show("error"); });
    });

    disable.addEventListener("click", function () {
      show("working");
      currentSubscription().then(function (sub) {
        if (!sub) return null;
        var endpoint = sub.endpoint;
        return sub.unsubscribe().then(function () {
          return post(panel.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
        });
      }).then(function () {
        return reloadDevices();
      }).then(function () {
        show("off");
        buttons(false);
      }).catch(function () { show("error"); });
    });

    show("checking");
    refresh();
  }

  function init() {
    var panel = document.getElementById("push-panel");
    if (panel && !panel.hasAttribute("data-push-ready")) {
      panel.setAttribute("data-push-ready", "");
      setup(panel);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
