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

    // The device list carries a hash of each endpoint the server knows (not the endpoint
    // itself, a capability URL): it marks "(denne enhed)" and tells whether the server still
    // has this browser's subscription (Fjern or a 404/410 from the push service deletes it).
    function hashOf(endpoint) {
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint)).then(hex);
    }

    function markThisDevice(endpoint) {
      return hashOf(endpoint).then(function (h) {
        var known = false;
        document.querySelectorAll(".device").forEach(function (li) {
          var mark = li.querySelector(".device-this");
          var mine = li.getAttribute("data-endpoint-hash") === h;
          if (mark) mark.hidden = !mine;
          known = known || mine;
        });
        return known;
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
        // "On" only when the server still sends to this subscription; otherwise the button
        // offers to turn it on, which posts the browser's subscription again.
        return sub ? markThisDevice(sub.endpoint) : false;
      }).then(function (on) {
        show(on ? "on" : "off");
        buttons(on);
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
        }).catch(function (err) {
          // The browser or its push service refused (not our server): say which.
          throw { name: err && err.name, fromBrowser: true };
        }).then(function (sub) {
          return post(panel.getAttribute("data-subscribe-url"), sub.toJSON()).then(function () {
            return reloadDevices();
          }).then(function () {
            show("on");
            buttons(true);
            markThisDevice(sub.endpoint);
          });
        });
      }).catch(function (err) { show(failure(err)); });
    });

    // Why turning on failed, in words the user can act on: no permission (NotAllowedError),
    // the browser or its push service cannot now (AbortError and the like), or else the
    // network or our server (the plain "try again").
    function failure(err) {
      if (!err || !err.fromBrowser) return "error";
      return err.name === "NotAllowedError" ? "not-allowed" : "unavailable";
    }

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
