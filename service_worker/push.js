// Påmindelser in the service worker: show a pushed reminder, open the right page on a click,
// follow the browser when it replaces the subscription, and drop it at logout. Loaded by /sw.js (importScripts,
// see app/sync/worker.py). A payload holds kind, count, unit name and a link, nothing personal.
(function () {
  "use strict";

  var LIST_URL = "/notifikationer";
  var KEY_URL = "/paamindelser/noegle";
  var CHANGE_URL = "/paamindelser/skift";
  var ICON = "/static/icons/icon-192.png";

  function payloadOf(event) {
    if (!event.data) return {};
    try {
      return event.data.json() || {};
    } catch (e) {
      return { body: event.data.text() };
    }
  }

  function absolute(url) {
    return new URL(url || LIST_URL, self.location.origin).href;
  }

  function onPush(event) {
    var data = payloadOf(event);
    var tag = data.tag || "opspor";
    var options = {
      body: data.body || "",
      // The same tag replaces the earlier notification of that kind and unit (no pile-up);
      // urgent ones still alert again.
      tag: tag,
      renotify: !!data.urgent,
      icon: ICON,
      badge: ICON,
      lang: "da",
      data: { url: absolute(data.url), kind: data.kind || "" },
    };
    event.waitUntil(self.registration.showNotification(data.title || "Opspor", options));
  }

  // Focus a window already showing the page; else bring one of our windows there; else open one.
  // focus() may be refused (no user activation): the window is still the right one then.
  function focusOrOpen(url) {
    return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
      var i;
      for (i = 0; i < list.length; i++) {
        if (list[i].url === url && "focus" in list[i]) {
          var same = list[i];
          return same.focus().catch(function () { return same; });
        }
      }
      for (i = 0; i < list.length; i++) {
        if ("navigate" in list[i] && "focus" in list[i]) {
          var client = list[i];
          return client.navigate(url).then(function (navigated) {
            var target = navigated || client;
            return target.focus().catch(function () { return target; });
          }, function () {
            return self.clients.openWindow(url);  // not ours to navigate (uncontrolled)
          });
        }
      }
      return self.clients.openWindow(url);
    });
  }

  function onClick(event) {
    event.notification.close();
    var data = event.notification.data || {};
    event.waitUntil(focusOrOpen(absolute(data.url)));
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = self.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // The browser replaced (or dropped) the subscription: subscribe again if needed and tell the
  // server. The old endpoint identifies the device, so no session or CSRF token is needed.
  function onSubscriptionChange(event) {
    var old = event.oldSubscription;
    var fresh = event.newSubscription
      ? Promise.resolve(event.newSubscription)
      : fetch(KEY_URL, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("no key")); })
          .then(function (key) {
            return self.registration.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: keyBytes(key.publicKey),
            });
          });
    var done = fresh.then(function (subscription) {
      return fetch(CHANGE_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          oldEndpoint: old ? old.endpoint : null,
          subscription: subscription.toJSON(),
        }),
      });
    });
    if (event.waitUntil) event.waitUntil(done.catch(function () {}));
    return done;
  }

  // Log ud (offline.js tells the worker): the browser drops its push subscription, so the next
  // user of a shared tablet gets none of this user's reminders; the logout form told the server.
  function onLogout() {
    return self.registration.pushManager.getSubscription().then(function (sub) {
      return sub ? sub.unsubscribe() : false;
    }).catch(function () { return false; });
  }

  self.addEventListener("message", function (event) {
    if (event.data && event.data.type === "logout") event.waitUntil(onLogout());
  });
  self.addEventListener("push", onPush);
  self.addEventListener("notificationclick", onClick);
  self.addEventListener("pushsubscriptionchange", onSubscriptionChange);

  // For tests and for sw.js: the handlers themselves.
  self.OpsporPush = { onPush: onPush, onClick: onClick, focusOrOpen: focusOrOpen,
                      onSubscriptionChange: onSubscriptionChange, onLogout: onLogout };
})();
