// Opspor offline, page side: registers the service worker, keeps forms that cannot reach the
// server in the device outbox (static/js/outbox.js), autosaves drafts, shows the outbox badge,
// the offline banner and readiness, renders the outbox page, and sends what waits (on load, on
// `online`, every minute while visible, on "Send nu"). Screen texts come from the server as
// JSON (#sync-texts), so this file holds no Danish of its own. No inline scripts (CSP).
(function () {
  "use strict";
  var Outbox = window.OpsporOutbox;
  if (!Outbox || !window.indexedDB || !window.Promise) return;

  var OFFLINE_FORM = "form[data-offline-kind]";
  var FORM_TIMEOUT_MS = 20000;
  var REPLAY_EVERY_MS = 60000;
  var T = {};
  var registration = null;
  var waitingWorker = null;
  var replaying = false;

  // -- small helpers ----------------------------------------------------------------------------

  function t(key, values) {
    var text = T[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return "";
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    var today = new Date();
    var yesterday = new Date(today.getTime() - 864e5);
    if (d.toDateString() === today.toDateString()) return t("today", { time: time });
    if (d.toDateString() === yesterday.toDateString()) return t("yesterday", { time: time });
    return t("onDate", { date: pad(d.getDate()) + "." + pad(d.getMonth() + 1) + "." + d.getFullYear(), time: time });
  }

  function age(iso) {
    var minutes = Math.floor((Date.now() - new Date(iso).getTime()) / 60000);
    if (minutes < 2) return t("justNow");
    if (minutes < 60) return t("minutesAgo", { n: minutes });
    if (minutes < 48 * 60) return t("hoursAgo", { n: Math.floor(minutes / 60) });
    return t("daysAgo", { n: Math.floor(minutes / 1440) });
  }

  function countText(n) { return n === 1 ? t("item") : t("items", { n: n }); }
  function userId() { return document.body.getAttribute("data-user-id") || null; }
  function status() { return document.getElementById("sync-status"); }
  function isOfflineCopy() { var s = status(); return Boolean(s && s.hasAttribute("data-offline-copy")); }
  function outboxUrl() { var s = status(); return (s && s.getAttribute("data-outbox-url")) || "/udbakke"; }

  function announce(message, kind) {
    var box = document.getElementById("messages");
    if (!box) return;
    box.appendChild(el("p", { "class": "flash flash-" + (kind || "success"), text: message }));
  }

  // News nobody asked for, arriving after load: in the same live region, but floating over the
  // foot of the screen until closed, so the page does not jump down under the reader's eyes.
  function announceFloating(message, kind) {
    var box = document.getElementById("messages");
    if (!box) return;
    var close = el("button", { type: "button", "class": "button", text: status().getAttribute("data-close-label") || "OK" });
    var note = el("p", { "class": "flash flash-floating flash-" + kind }, [el("span", { text: message }), close]);
    close.addEventListener("click", function () {
      note.remove();
      reserveFloatingSpace();
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    });
    box.appendChild(note);
    reserveFloatingSpace();
  }

  // A floating notice covers the foot of the screen: reserve as much space below the page
  // (--floating-space, the body's bottom padding) so the last fields and buttons can be
  // scrolled above it and clicked. Measured again on resize and after a boosted navigation.
  function reserveFloatingSpace() {
    var covered = 0;
    document.querySelectorAll(".flash-floating").forEach(function (note) {
      covered = Math.max(covered, window.innerHeight - note.getBoundingClientRect().top);
    });
    var root = document.documentElement.style;
    if (covered > 0) root.setProperty("--floating-space", Math.ceil(covered) + "px");
    else root.removeProperty("--floating-space");
  }
  window.addEventListener("resize", reserveFloatingSpace);
  document.addEventListener("htmx:afterSettle", reserveFloatingSpace);

  // -- the service worker ---------------------------------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return Promise.resolve(null);
    return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
      registration = reg;
      watchForUpdates(reg);
      // A page that loaded while the worker was activating is not controlled: ask for it (so it
      // is kept, and works offline, without another navigation).
      navigator.serviceWorker.ready.then(function (ready) {
        if (!navigator.serviceWorker.controller && ready.active) ready.active.postMessage({ type: "claim" });
      });
      return reg;
    }, function () { return null; });
  }

  // Ask the active worker something; resolves to its answer, or null without a worker.
  function ask(message, timeoutMs) {
    if (!("serviceWorker" in navigator)) return Promise.resolve(null);
    return navigator.serviceWorker.ready.then(function (reg) {
      var target = navigator.serviceWorker.controller || reg.active;
      if (!target) return null;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        var timer = setTimeout(function () { resolve(null); }, timeoutMs || 60000);
        channel.port1.onmessage = function (event) { clearTimeout(timer); resolve(event.data); };
        target.postMessage(message, [channel.port2]);
      });
    });
  }

  // A new version waits until no form is open and nothing is being sent; then it takes over.
  function watchForUpdates(reg) {
    if (reg.waiting && navigator.serviceWorker.controller) waitingWorker = reg.waiting;
    reg.addEventListener("updatefound", function () {
      var installing = reg.installing;
      if (!installing) return;
      installing.addEventListener("statechange", function () {
        if (installing.state === "installed" && navigator.serviceWorker.controller) {
          waitingWorker = installing;
          maybeActivateUpdate();
        }
      });
    });
    maybeActivateUpdate();
  }

  function sendingElsewhere() {
    if (!navigator.locks || !navigator.locks.query) return Promise.resolve(false);
    return navigator.locks.query().then(function (state) {
      return (state.held || []).some(function (lock) { return lock.name === "opspor-outbox-replay"; });
    }, function () { return false; });
  }

  var updateTimer = null;
  function maybeActivateUpdate() {
    var worker = waitingWorker || (registration && registration.waiting);
    if (!worker || !navigator.serviceWorker.controller) return Promise.resolve(false);
    var formOpen = $all(OFFLINE_FORM).some(function (f) { return !f.hidden; });
    var check = formOpen || replaying || !navigator.onLine ? Promise.resolve(true) : sendingElsewhere();
    return check.then(function (busy) {
      clearTimeout(updateTimer);
      if (busy) {
        // Not now: look again in a moment (the form may be saved, the sending may end).
        updateTimer = setTimeout(maybeActivateUpdate, 3000);
        return false;
      }
      worker.postMessage({ type: "SKIP_WAITING" });
      waitingWorker = null;
      return true;
    });
  }

  // -- who is using the device ----------------------------------------------------------------

  function deleteOtherUsersPages(uid) {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf("opspor-pages-") === 0 && n.slice(-("-u" + uid).length) !== "-u" + uid;
      }).map(function (n) { return caches.delete(n); }));
    });
  }

  function deleteUserPages(uid) {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf("opspor-pages-") === 0 && n.slice(-("-u" + uid).length) === "-u" + uid;
      }).map(function (n) { return caches.delete(n); }));
    });
  }

  function noteUser() {
    var uid = userId();
    if (!uid) return Promise.resolve();
    return deleteOtherUsersPages(uid).then(function () { return ask({ type: "user", userId: uid }, 5000); });
  }

  // -- badge, alerts, readiness ---------------------------------------------------------------

  function refreshBadge() {
    var uid = userId();
    var link = $all(".site-header a").filter(function (a) { return a.getAttribute("href") === outboxUrl(); })[0];
    if (!uid || !link) return Promise.resolve();
    return Outbox.counts(uid).then(function (c) {
      var badge = $("[data-outbox-badge]", link);
      if (!badge) {
        badge = el("span", { "class": "count-badges", "data-outbox-badge": "" });
        link.appendChild(badge);
      }
      badge.textContent = "";
      if (c.pending) {
        badge.appendChild(el("span", { "class": "count-badge", "data-outbox-count": c.pending }, [
          String(c.pending), el("span", { "class": "visually-hidden", text: " " + t("unsent") })]));
      }
      if (c.action) {
        badge.appendChild(el("span", { "class": "count-badge count-action", "data-outbox-action-count": c.action }, [
          "! " + c.action, el("span", { "class": "visually-hidden", text: " " + t("needsAction") })]));
      }
    });
  }

  function refreshAlerts() {
    var uid = userId();
    var alert = $("[data-sync-alert]");
    if (!uid || !alert) return Promise.resolve();
    return Promise.all([Outbox.getMeta("authNeeded"), Outbox.counts(uid)]).then(function (r) {
      var show = Boolean(r[0] && r[1].pending > 0);
      var text = show ? t("authNeeded", { n: countText(r[1].pending) }) : "";
      alert.hidden = !show;
      if (alert.getAttribute("data-text") === text) return; // unchanged: keep the DOM (and focus)
      alert.setAttribute("data-text", text);
      alert.textContent = "";
      if (show) {
        var login = status().getAttribute("data-login-url") + "?next=" + encodeURIComponent(outboxUrl());
        alert.appendChild(document.createTextNode(text + " "));
        alert.appendChild(el("a", { href: login, "hx-boost": "false", text: t("logIn") }));
      }
    });
  }

  function refreshBanner() {
    var banner = $("[data-offline-banner]");
    if (!banner) return;
    var copy = isOfflineCopy();
    if (copy && $("[data-offline-pages]")) {
      banner.textContent = t("offlineNow"); // the offline page itself: nothing to date
    } else if (copy) {
      var rendered = status().getAttribute("data-rendered-at");
      banner.textContent = t("offlineCopy", { when: when(rendered), age: age(rendered) });
    } else if (!navigator.onLine) {
      banner.textContent = t("offlineNow");
    }
    banner.hidden = !(copy || !navigator.onLine);
  }

  function readinessText(meta) {
    if (!meta) return t("notReady");
    if (!meta.children) return t("readyNone", { when: when(meta.preparedAt) });
    if (meta.children === 1) return t("readyOne", { when: when(meta.preparedAt) });
    return t("ready", { n: meta.children, when: when(meta.preparedAt) });
  }

  function refreshReadiness() {
    var uid = userId();
    if (!uid) return Promise.resolve();
    return Outbox.getMeta("prepared:" + uid).then(function (meta) {
      $all("[data-readiness-text]").forEach(function (p) { p.textContent = readinessText(meta); });
      var home = $("[data-offline-readiness]");
      if (home && location.pathname === "/") {
        home.textContent = "";
        home.appendChild(el("p", {}, [el("span", { text: readinessText(meta) }),
          el("a", { href: outboxUrl(), text: t("openOutbox") })]));
        home.hidden = false;
      }
    });
  }

  function prepare(button) {
    var uid = userId();
    var out = $("[data-readiness-text]");
    if (!uid) return Promise.resolve(null);
    if (!navigator.onLine) {
      if (out) out.textContent = t("prepareOffline");
      return Promise.resolve(null);
    }
    if (out) out.textContent = t("preparing");
    if (button) button.disabled = true;
    return ask({ type: "prepare", userId: uid }, 120000).then(function (answer) {
      if (button) button.disabled = false;
      if (!answer || !answer.ok) {
        if (out) out.textContent = t("prepareFailed");
        return answer;
      }
      return refreshReadiness().then(function () { return answer; });
    });
  }

  function askForPersistence() {
    var out = $("[data-persist-status]");
    if (!navigator.storage || !navigator.storage.persist) return Promise.resolve();
    return navigator.storage.persisted().then(function (already) {
      return already || navigator.storage.persist();
    }).then(function (granted) {
      if (out) out.textContent = granted ? t("persistGranted") : t("persistRefused");
      if (granted) return null;
      return Outbox.getMeta("persistWarned").then(function (warned) {
        if (warned) return null;
        announceFloating(t("persistRefused"), "info");
        return Outbox.setMeta("persistWarned", true);
      });
    }, function () { return null; });
  }

  // -- forms: capture, edit from the outbox, drafts --------------------------------------------

  function formPayload(form) {
    var data;
    try { data = new FormData(form, form.__submitter || undefined); } catch (e) { data = new FormData(form); }
    var payload = {};
    data.forEach(function (value, key) {
      if (key === "csrf_token" || typeof value !== "string") return;
      if (Object.prototype.hasOwnProperty.call(payload, key)) {
        if (!Array.isArray(payload[key])) payload[key] = [payload[key]];
        payload[key].push(value);
      } else {
        payload[key] = value;
      }
    });
    return payload;
  }

  function labelOf(input) {
    var group = input.type === "radio" || (input.type === "checkbox" &&
      input.form && input.form.querySelectorAll('input[name="' + input.name + '"]').length > 1);
    var fieldset = group && input.closest("fieldset");
    var legend = fieldset && $("legend", fieldset);
    var node = legend || (input.labels && input.labels[0]);
    return node ? node.textContent.trim().replace(/\s+/g, " ") : "";
  }

  function formLabels(form) {
    var labels = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || labels[input.name] || input.type === "hidden" || input.name === "csrf_token") return;
      var text = labelOf(input);
      if (text) labels[input.name] = text;
    });
    return labels;
  }

  // What the user sees for each filled-in field (option texts, not codes).
  function formDisplay(form) {
    var display = {};
    function addValue(name, text) {
      if (!text) return;
      display[name] = display[name] ? display[name] + ", " + text : text;
    }
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "hidden" || input.name === "csrf_token" || input.type === "submit") return;
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) addValue(input.name, input.labels && input.labels[0] ? input.labels[0].textContent.trim() : input.value);
      } else if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.selectedOptions, function (o) { if (o.value) addValue(input.name, o.textContent.trim()); });
      } else if (input.value) {
        addValue(input.name, input.value);
      }
    });
    return display;
  }

  function fillForm(form, payload) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.name === "csrf_token" || !Object.prototype.hasOwnProperty.call(payload, input.name)) {
        if (input.name && (input.type === "checkbox") && !Object.prototype.hasOwnProperty.call(payload, input.name)) input.checked = false;
        return;
      }
      var value = payload[input.name];
      var values = Array.isArray(value) ? value : [value];
      if (input.type === "checkbox" || input.type === "radio") input.checked = values.indexOf(input.value) !== -1;
      else if (input.tagName === "SELECT" && input.multiple) {
        Array.prototype.forEach.call(input.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else if (input.type !== "submit" && input.type !== "button" && input.type !== "file") input.value = values[0];
    });
  }

  // "Registrér besøg · Emil Hansen": the page title names the form and the child.
  function formTitle(form) {
    var title = document.title.replace(/\s*·\s*Opspor\s*$/, "").trim();
    var heading = $("main h1");
    return form.getAttribute("data-offline-title") || title || (heading ? heading.textContent.trim() : "");
  }

  function draftKey() { return location.pathname + location.search; }
  function formKey(form) { return form.__draftKey || (form.__draftKey = draftKey()); }

  function capture(form, editing) {
    var uid = userId();
    if (!uid) return Promise.resolve(null);
    var payload = formPayload(form);
    var labels = formLabels(form);
    var display = formDisplay(form);
    var work = editing
      ? Outbox.edit(editing.id, uid, payload, labels, display).then(function (r) { return r.item; })
      : Outbox.add({
        userId: uid, kind: form.getAttribute("data-offline-kind"), payload: payload, labels: labels,
        display: display, title: formTitle(form), url: location.pathname + location.search,
        childId: payload.child_id || null,
      });
    return work.then(function (item) {
      Outbox.deleteDraft(uid, draftKey());
      showSaved(form, item, Boolean(editing));
      registerBackgroundSync();
      refreshAll();
      if (navigator.onLine) setTimeout(function () { replay(false); }, 1500);
      return item;
    });
  }

  function showSaved(form, item, edited) {
    announce(edited ? t("editSaved") : t("saved"));
    var actions = [el("a", { "class": "button", href: outboxUrl(), text: t("openOutbox") })];
    if (item.childId) actions.push(el("a", { "class": "button", href: "/boern/" + encodeURIComponent(item.childId), text: t("toChild") }));
    var panel = el("div", { "class": "card offline-saved", tabindex: "-1", "data-offline-saved": item.id }, [
      el("h2", { text: t("savedHeading") }),
      el("p", {}, [el("span", { "class": "sync-state sync-pending", text: t("pending") }), " " + item.title]),
      el("p", { text: t("savedBody") }),
      el("p", { "class": "actions" }, actions),
    ]);
    form.hidden = true;
    form.parentNode.insertBefore(panel, form.nextSibling);
    panel.focus();
  }

  function registerBackgroundSync() {
    if (!registration || !registration.sync) return;
    registration.sync.register("opspor-outbox").catch(function () { /* not allowed: we replay ourselves */ });
  }

  // The element that made an htmx request (beforeSwap is triggered on the target, e.g. body).
  function requester(event) {
    var config = event.detail.requestConfig;
    return (config && config.elt) || event.detail.elt;
  }

  function offlineFormOf(elt) {
    if (!elt || !elt.closest) return null;
    var form = elt.tagName === "FORM" ? elt : elt.closest("form");
    return form && form.matches(OFFLINE_FORM) ? form : null;
  }

  // Offline (or editing an outbox item): keep it on the device without trying the network.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches) return;
    if (form.matches(".logout-form")) { onLogout(event); return; }
    if (!form.matches(OFFLINE_FORM)) return;
    form.__submitter = event.submitter || null;
    clearTimeout(draftTimer); // a pending autosave must not bring the draft back
    if (form.__outboxItem || !navigator.onLine) {
      event.preventDefault();
      event.stopImmediatePropagation();
      capture(form, form.__outboxItem || null);
    }
  }, true);

  // Online but the server does not answer in time, the connection fails, or it answers 5xx.
  document.addEventListener("htmx:configRequest", function (event) {
    if (offlineFormOf(event.detail.elt) && event.detail.verb !== "get") event.detail.timeout = FORM_TIMEOUT_MS;
  });
  function onFailure(event) {
    var form = offlineFormOf(requester(event));
    var config = event.detail.requestConfig || {};
    if (!form || (config.verb || "post") === "get" || form.hidden || form.__capturing) return;
    form.__capturing = true;
    capture(form, null).finally(function () { form.__capturing = false; });
  }
  document.addEventListener("htmx:sendError", onFailure);
  document.addEventListener("htmx:timeout", onFailure);
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status >= 500) onFailure(event);
  });
  // A 5xx answer to an offline form is not shown in place of the form (app.js shows error pages
  // of boosted requests): what the user typed goes to the outbox instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = offlineFormOf(requester(event));
    var config = event.detail.requestConfig || {};
    if (!form || !event.detail.xhr || event.detail.xhr.status < 500 || config.verb === "get") return;
    event.detail.shouldSwap = false;
    event.detail.isError = false;
    onFailure(event);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = offlineFormOf(requester(event));
    // The page's address may already be the next page's: use the key the form was opened with.
    if (form && event.detail.successful && userId()) Outbox.deleteDraft(userId(), formKey(form));
  });
  // A boosted link that fails (no worker to answer): let the browser navigate for real.
  document.addEventListener("htmx:sendError", function (event) {
    var config = event.detail.requestConfig || {};
    if (config.boosted && config.verb === "get" && config.path) window.location.assign(config.path);
  });

  var draftTimer = null;
  function onInput(event) {
    var form = offlineFormOf(event.target);
    var uid = userId();
    if (!form || !uid || form.__outboxItem || form.hidden) return;
    clearTimeout(draftTimer);
    var key = formKey(form);
    draftTimer = setTimeout(function () {
      Outbox.saveDraft(uid, key, { payload: formPayload(form) });
    }, 400);
  }
  document.addEventListener("input", onInput);
  document.addEventListener("change", onInput);

  function setupForms() {
    var uid = userId();
    var forms = $all(OFFLINE_FORM);
    if (!uid || !forms.length) return Promise.resolve();
    var form = forms[0];
    formKey(form);
    var match = /[#&]udbakke=([0-9a-f-]{36})/.exec(location.hash);
    if (match) return loadForEdit(form, match[1], uid);
    var hasErrors = Boolean($(".error-summary"));
    return Outbox.getDraft(uid, draftKey()).then(function (draft) {
      if (draft && !hasErrors) {
        fillForm(form, draft.data.payload || {});
        notice(form, t("draftRestored", { when: when(draft.savedAt) }), t("discardDraft"), function (box) {
          Outbox.deleteDraft(uid, draftKey());
          form.reset();
          newUuid(form);
          box.remove();
          announce(t("draftDiscarded"), "info");
        });
      } else if (isOfflineCopy()) {
        // A stored copy of a form: every use of it makes a new record.
        newUuid(form);
      }
    });
  }

  function newUuid(form) {
    var base = form.querySelector('input[name="base_version"]');
    var id = form.querySelector('input[name="uuid"]');
    if (id && !(base && base.value)) id.value = Outbox.uuid();
  }

  function loadForEdit(form, itemId, uid) {
    return Outbox.get(itemId).then(function (item) {
      if (!item || item.userId !== uid) return;
      fillForm(form, item.payload);
      form.__outboxItem = item;
      var frozen = item.frozen && item.status !== "action";
      notice(form, frozen ? t("editingFrozen") : t("editing"));
    });
  }

  function notice(form, text, buttonText, onButton) {
    var box = el("div", { "class": "offline-notice", role: "status" }, [el("p", { text: text })]);
    if (buttonText) {
      var button = el("button", { type: "button", "class": "button", text: buttonText });
      button.addEventListener("click", function () { onButton(box); });
      box.appendChild(button);
    }
    form.parentNode.insertBefore(box, form);
  }

  // -- logout ---------------------------------------------------------------------------------

  // Log ud on a shared tablet: the form names this device's push endpoint, and the server
  // removes that subscription for this user, so the next user gets none of this user's pushes.
  function pushEndpoint(form) {
    var reg = "serviceWorker" in navigator ? navigator.serviceWorker.getRegistration("/") : Promise.resolve(null);
    return reg.then(function (r) { return r && r.pushManager ? r.pushManager.getSubscription() : null; })
      .then(function (sub) {
        var input = $("input[name=push_endpoint]", form);
        if (!sub) { if (input) input.remove(); return; }
        if (!input) input = form.appendChild(el("input", { type: "hidden", name: "push_endpoint" }));
        input.value = sub.endpoint;
      })
      .catch(function () {});
  }

  function onLogout(event) {
    var form = event.target;
    if (form.__confirmed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var uid = userId();
    function proceed() {
      // The endpoint is read before the worker hears of the logout (it then drops the browser's
      // subscription, service_worker/push.js).
      var done = pushEndpoint(form).then(function () {
        return uid ? Promise.all([deleteUserPages(uid), ask({ type: "logout", userId: uid }, 3000)]) : null;
      });
      done.then(function () { form.__confirmed = true; form.submit(); }, function () { form.__confirmed = true; form.submit(); });
    }
    if (!uid) { proceed(); return; }
    Outbox.counts(uid).then(function (c) {
      if (!c.total) { proceed(); return; }
      var dialog = el("dialog", { "class": "confirm-dialog", "aria-labelledby": "logout-dialog-text" }, [
        el("p", { id: "logout-dialog-text", text: t("logoutWarning", { n: countText(c.total) }) }),
      ]);
      var leave = el("button", { type: "button", "class": "button danger", text: t("logoutAnyway") });
      var stay = el("button", { type: "button", "class": "button primary", text: t("stay") });
      leave.addEventListener("click", function () { dialog.close(); proceed(); });
      stay.addEventListener("click", function () { dialog.close(); dialog.remove(); });
      dialog.appendChild(el("p", { "class": "actions" }, [stay, leave]));
      document.body.appendChild(dialog);
      dialog.showModal();
      stay.focus();
    });
  }

  // -- the outbox page and the child page ------------------------------------------------------

  function stateLabel(item) {
    if (item.status === "action") return el("span", { "class": "sync-state sync-action", text: t("action") });
    if (item.status === "sending") return el("span", { "class": "sync-state sync-sending", text: t("sending") });
    return el("span", { "class": "sync-state sync-pending", text: t("pending") });
  }

  function contentList(item) {
    var dl = el("dl", { "class": "facts" });
    var display = item.display || {};
    Object.keys(item.payload || {}).forEach(function (name) {
      var label = (item.labels || {})[name];
      if (!label) return;
      var value = display[name] || [].concat(item.payload[name]).join(", ");
      if (!value) return;
      dl.appendChild(el("dt", { text: label }));
      dl.appendChild(el("dd", { text: value }));
    });
    return el("details", {}, [el("summary", { text: t("open") }), dl]);
  }

  function itemRow(item, withActions) {
    var meta = [t("createdAt", { when: when(item.createdAt) })];
    if (item.attempts) meta.push(t("attempts", { n: item.attempts }));
    var children = [
      el("p", { "class": "outbox-title" }, [stateLabel(item), " ", el("strong", { text: item.title })]),
      el("p", { "class": "muted", text: meta.join(" · ") }),
    ];
    if (item.status === "action") {
      var reason = item.message === "too_large" ? t("reason_too_large") : t("reason_" + item.reason);
      children.push(el("p", { "class": "error", text: reason + (item.message && item.message !== "too_large" ? " " + item.message : "") }));
      var errors = item.errors || {};
      var names = Object.keys(errors);
      if (names.length) {
        children.push(el("ul", { "class": "error-list" }, names.map(function (name) {
          return el("li", { text: ((item.labels || {})[name] || name) + ": " + [].concat(errors[name]).join(" ") });
        })));
      }
    }
    children.push(contentList(item));
    if (withActions) {
      var actions = el("p", { "class": "actions" });
      if (item.url) actions.appendChild(el("a", { "class": "button", href: item.url + "#udbakke=" + item.id, "hx-boost": "false", text: t("edit") }));
      var discard = el("button", { type: "button", "class": "button danger", "data-discard": item.id, text: t("discardNamed", { title: item.title }) });
      discard.addEventListener("click", function () { confirmDiscard(item); });
      actions.appendChild(discard);
      children.push(actions);
    }
    return el("li", { "class": "outbox-item", "data-outbox-item": item.id }, children);
  }

  function confirmDiscard(item) {
    var dialog = $("[data-discard-dialog]");
    if (!dialog) return;
    $("[data-discard-question]", dialog).textContent = t("discardQuestion", { title: item.title, when: when(item.createdAt) });
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "discard") return;
      Outbox.remove(item.id, userId()).then(function (removed) {
        if (removed) announce(t("discarded", { title: item.title }), "info");
        refreshAll();
      });
    };
    dialog.showModal();
  }

  function renderOutboxPage() {
    var pendingList = $("[data-outbox-pending]");
    var uid = userId();
    if (!pendingList || !uid) return Promise.resolve();
    return Promise.all([Outbox.list(uid), Outbox.sentList(uid)]).then(function (r) {
      var items = r[0];
      var pending = items.filter(function (i) { return i.status !== "action"; });
      var action = items.filter(function (i) { return i.status === "action"; });
      fillList(pendingList, pending, "[data-outbox-pending-empty]", true);
      fillList($("[data-outbox-action]"), action, "[data-outbox-action-empty]", true);
      var sentList = $("[data-outbox-sent]");
      sentList.textContent = "";
      r[1].slice(0, 20).forEach(function (s) {
        sentList.appendChild(el("li", { "class": "outbox-item" }, [
          el("p", { "class": "outbox-title" }, [
            el("span", { "class": "sync-state sync-" + (s.receipt === "conflict" ? "conflict" : "sent"), text: t("status_" + s.receipt) }),
            " ", el("strong", { text: s.title })]),
          el("p", { "class": "muted", text: t("createdAt", { when: when(s.createdAt) }) + " · " + t("receivedAt", { when: when(s.sentAt) }) }),
        ]));
      });
      $("[data-outbox-sent-empty]").hidden = r[1].length > 0;
    });
  }

  function fillList(list, items, emptySelector, actions) {
    list.textContent = "";
    items.forEach(function (item) { list.appendChild(itemRow(item, actions)); });
    $(emptySelector).hidden = items.length > 0;
  }

  function renderChildSection() {
    var section = $("[data-offline-child-id]");
    var uid = userId();
    if (!section || !uid) return Promise.resolve();
    var childId = section.getAttribute("data-offline-child-id");
    return Outbox.list(uid).then(function (items) {
      var mine = items.filter(function (i) { return String(i.childId) === childId; });
      var list = $("[data-pending-for-child]", section);
      list.textContent = "";
      mine.forEach(function (item) { list.appendChild(itemRow(item, false)); });
      if (mine.length) section.hidden = false;
    });
  }

  function renderOfflinePage() {
    var list = $("[data-offline-page-list]");
    if (!list) return Promise.resolve();
    return Outbox.getMeta("currentUser").then(function (uid) {
      return uid ? Outbox.getMeta("prepared:" + uid) : null;
    }).then(function (meta) {
      if (!meta || !meta.pages) return;
      list.textContent = "";
      meta.pages.filter(function (p) { return p.label; }).forEach(function (p) {
        list.appendChild(el("li", {}, [el("a", { href: p.url, text: p.label + " (" + (p.what === "child" ? t("childPage") : t("formPage")) + ")" })]));
      });
      $("[data-offline-pages]").hidden = !list.children.length;
    });
  }

  function recordOfflineReads() {
    var uid = userId();
    if (!uid || !isOfflineCopy()) return Promise.resolve();
    var seen = {};
    $all("[data-offline-child-id]").forEach(function (s) { seen[s.getAttribute("data-offline-child-id")] = "child"; });
    $all(OFFLINE_FORM + ' input[name="child_id"]').forEach(function (i) { if (i.value && !seen[i.value]) seen[i.value] = "form"; });
    return Promise.all(Object.keys(seen).map(function (id) { return Outbox.addView(uid, id, seen[id]); }));
  }

  // -- sending --------------------------------------------------------------------------------

  // Background replays skip when one is running; a forced one ("Send nu") waits its turn.
  var running = Promise.resolve(null);
  function replay(force) {
    if (!userId()) return Promise.resolve(null);
    if (replaying && !force) return Promise.resolve({ busy: true });
    var run = function () {
      replaying = true;
      return Outbox.replay({ force: Boolean(force) }).then(function (summary) {
        replaying = false;
        refreshAll();
        maybeActivateUpdate();
        return summary;
      }, function () { replaying = false; return null; });
    };
    running = running.then(run, run);
    return running;
  }

  function sendNow(button) {
    var out = $("[data-send-result]");
    button.disabled = true;
    return replay(true).then(function (summary) {
      button.disabled = false;
      if (!out || !summary) return summary;
      if (summary.busy) return summary;
      if (summary.auth) out.textContent = t("authNeeded", { n: "" }).trim();
      else if (summary.down) out.textContent = t("cannotSend");
      else {
        return Outbox.counts(userId()).then(function (c) {
          out.textContent = t("sentResult", { n: summary.sent + summary.conflict, left: c.total });
          return summary;
        });
      }
      return summary;
    });
  }

  var refreshTimer = null;
  function refreshAll() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      refreshBadge(); refreshAlerts(); refreshBanner(); refreshReadiness();
      renderOutboxPage(); renderChildSection();
    }, 50);
  }

  // -- page set-up ----------------------------------------------------------------------------

  function setupPage() {
    var source = document.getElementById("sync-texts");
    try { T = source ? JSON.parse(source.textContent) : T; } catch (e) { /* keep the old texts */ }
    var prepareButton = $("[data-prepare]");
    if (prepareButton) prepareButton.addEventListener("click", function () { prepare(prepareButton); });
    var sendButton = $("[data-send-now]");
    if (sendButton) sendButton.addEventListener("click", function () { sendNow(sendButton); });
    refreshAll();
    return Promise.all([setupForms(), recordOfflineReads(), renderOfflinePage()]);
  }

  function afterLoad() {
    if (document.readyState === "complete") return Promise.resolve();
    return new Promise(function (resolve) { window.addEventListener("load", function () { resolve(); }, { once: true }); });
  }

  // The next moment the page has nothing to do (at most 2 s away).
  function idle() {
    return new Promise(function (resolve) {
      if (window.requestIdleCallback) window.requestIdleCallback(function () { resolve(); }, { timeout: 2000 });
      else setTimeout(resolve, 0);
    });
  }

  // What the open page shows and what a form needs (drafts, an outbox item to edit) comes first.
  // The rest (registering the worker, which also checks /sw.js for an update, the device's user,
  // storage, preparing, sending) waits until the page has loaded and then for idle moments
  // between its steps, so it does not compete with drawing the page or the user's first taps.
  var started = null;
  function start() {
    if (started) return started;
    var uid = userId();
    started = Outbox.open().then(function () {
      return Promise.all([setupPage(), afterLoad().then(function () { return idle(); }).then(registerWorker)]);
    }).then(function () {
      if (!uid) return null;
      return noteUser().then(function () { return idle(); }).then(function () {
        askForPersistence();
        if (navigator.onLine) {
          ask({ type: "ensure-prepared", userId: uid }, 120000).then(refreshReadiness);
          return idle().then(function () { return replay(false); });
        }
        return null;
      });
    }).catch(function (error) {
      if (window.console) console.warn("Opspor offline:", error);
    });
    return started;
  }

  Outbox.onChange(function () { refreshAll(); });
  window.addEventListener("online", function () { refreshBanner(); replay(false); });
  window.addEventListener("offline", refreshBanner);
  setInterval(function () {
    if (document.visibilityState === "visible" && navigator.onLine) replay(false);
  }, REPLAY_EVERY_MS);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.boosted) setupPage();
  });

  window.OpsporOffline = {
    ready: function () { return start(); },
    replay: replay,
    prepare: prepare,
    ask: ask,
    maybeActivateUpdate: maybeActivateUpdate,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
