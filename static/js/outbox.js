// Opspor outbox: what waits on this device to be sent. One plain-JS module, loaded by the page
// (<script>) and by the service worker (importScripts), exposed as self.OpsporOutbox.
//
// Promises: an item leaves the outbox only after the server confirmed it; a network error or a
// 5xx keeps it and retries with back-off; an invalid or forbidden item moves to "kræver
// handling" and does not stop the items behind it; items are bound to their author and are only
// sent in a session of that user. The IndexedDB schema is versioned and migrated step by step,
// so a new worker keeps and sends what an old one queued.
(function (root) {
  "use strict";

  var DB_NAME = "opspor";
  var BATCH = 50;
  var SENT_KEEP_MS = 7 * 24 * 3600 * 1000; // reconciliation window
  var MAX_ERROR_ATTEMPTS = 8;
  var LOCK = "opspor-outbox-replay";

  // MIGRATIONS[i] upgrades a database from version i to i + 1. Never change a released step:
  // add a new one.
  var MIGRATIONS = [
    // 0 → 1: the first outbox, items keyed by id.
    function (db) {
      db.createObjectStore("outbox", { keyPath: "id" });
    },
    // 1 → 2: an index per author; drafts, sent copies (reconciliation), offline reads, meta.
    // Items from version 1 get the fields the sender needs.
    function (db, tx) {
      var outbox = tx.objectStore("outbox");
      outbox.createIndex("byUser", "userId");
      db.createObjectStore("drafts", { keyPath: "key" });
      db.createObjectStore("sent", { keyPath: "id" }).createIndex("byUser", "userId");
      db.createObjectStore("views", { keyPath: "id" }).createIndex("byUser", "userId");
      db.createObjectStore("meta", { keyPath: "key" });
      outbox.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) return;
        cursor.update(normalise(cursor.value));
        cursor.continue();
      };
    },
  ];
  var DB_VERSION = MIGRATIONS.length;

  function normalise(item) {
    var payload = item.payload || {};
    item.userId = String(item.userId);
    item.status = item.status || "pending";
    item.attempts = item.attempts || 0;
    item.frozen = Boolean(item.frozen || item.attempts > 0);
    item.createdAt = item.createdAt || new Date().toISOString();
    item.seq = item.seq || Date.parse(item.createdAt) || Date.now();
    item.uuid = item.uuid || payload.uuid || null;
    if (item.baseVersion === undefined) item.baseVersion = toInt(payload.base_version);
    if (item.formVersion === undefined) item.formVersion = toInt(payload.form_version);
    item.title = item.title || item.kind;
    return item;
  }

  function toInt(value) {
    var n = parseInt(value, 10);
    return isNaN(n) ? null : n;
  }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = new Uint8Array(16);
    root.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  // -- IndexedDB ------------------------------------------------------------------------------

  var dbPromise = null;

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function (event) {
        var db = request.result;
        for (var v = event.oldVersion; v < DB_VERSION; v++) MIGRATIONS[v](db, request.transaction);
      };
      request.onsuccess = function () {
        var db = request.result;
        // A newer version elsewhere (a new worker) wants to upgrade: let it.
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
      request.onblocked = function () { /* an old tab holds it; it closes on versionchange */ };
    });
    return dbPromise;
  }

  function tx(stores, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode);
        var out;
        t.oncomplete = function () { resolve(out); };
        t.onerror = t.onabort = function () { reject(t.error); };
        out = work(t);
      });
    });
  }

  function req(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function getAllByUser(store, userId) {
    var result = [];
    return tx([store], "readonly", function (t) {
      var index = t.objectStore(store).index("byUser");
      index.getAll(String(userId)).onsuccess = function (e) {
        Array.prototype.push.apply(result, e.target.result);
      };
    }).then(function () { return result; });
  }

  function byCreation(a, b) {
    return a.seq - b.seq || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);
  }

  // -- the outbox -----------------------------------------------------------------------------

  function add(fields) {
    var now = new Date();
    var item = normalise({
      id: fields.id || uuid(),
      userId: String(fields.userId),
      kind: fields.kind,
      payload: fields.payload,
      labels: fields.labels || {},
      display: fields.display || {},
      title: fields.title || fields.kind,
      url: fields.url || null,
      childId: fields.childId || null,
      createdAt: now.toISOString(),
      seq: now.getTime() + Math.random() / 10,
      supersedes: fields.supersedes || null,
      status: "pending",
      attempts: 0,
      frozen: false,
    });
    return tx(["outbox"], "readwrite", function (t) {
      t.objectStore("outbox").put(item);
    }).then(function () { changed(); return item; });
  }

  function get(id) {
    var found;
    return tx(["outbox"], "readonly", function (t) {
      t.objectStore("outbox").get(id).onsuccess = function (e) { found = e.target.result; };
    }).then(function () { return found || null; });
  }

  function list(userId) {
    return getAllByUser("outbox", userId).then(function (items) { return items.sort(byCreation); });
  }

  function counts(userId) {
    return list(userId).then(function (items) {
      var c = { pending: 0, action: 0, total: items.length };
      items.forEach(function (i) { if (i.status === "action") c.action++; else c.pending++; });
      return c;
    });
  }

  // Edit an item. Until sending has begun it is changed in place; after that it is frozen and
  // the edit becomes a new item (a new version of the record) that supersedes it.
  function edit(id, userId, payload, labels, display) {
    return get(id).then(function (item) {
      if (!item || item.userId !== String(userId)) throw new Error("not found");
      if (!item.frozen || item.status === "action") {
        item.payload = payload;
        item.labels = labels || item.labels;
        item.display = display || item.display;
        item.status = "pending";
        item.attempts = 0;
        item.frozen = false;
        item.nextAttemptAt = 0;
        item.reason = item.errors = item.message = null;
        item.baseVersion = toInt(payload.base_version);
        return tx(["outbox"], "readwrite", function (t) { t.objectStore("outbox").put(item); })
          .then(function () { changed(); return { item: item, superseding: false }; });
      }
      var next = Object.assign({}, payload, { uuid: item.uuid || payload.uuid });
      // The server will hold the frozen version as version base+1 of the record.
      next.base_version = String((item.baseVersion || 0) + 1);
      return add({
        userId: userId, kind: item.kind, payload: next, labels: labels || item.labels,
        display: display || item.display, title: item.title, url: item.url, childId: item.childId, supersedes: item.id,
      }).then(function (created) { return { item: created, superseding: true }; });
    });
  }

  function remove(id, userId) {
    return get(id).then(function (item) {
      if (!item || item.userId !== String(userId)) return false;
      return tx(["outbox"], "readwrite", function (t) { t.objectStore("outbox").delete(id); })
        .then(function () { changed(); return true; });
    });
  }

  // Anything to send, for any user (the worker checks this before it asks the server).
  function hasWork() {
    var found = false;
    return tx(["outbox", "views"], "readonly", function (t) {
      t.objectStore("outbox").openCursor().onsuccess = function (e) {
        var cursor = e.target.result;
        if (!cursor) return;
        if (cursor.value.status !== "action") { found = true; return; }
        cursor.continue();
      };
      t.objectStore("views").count().onsuccess = function (e) { if (e.target.result) found = true; };
    }).then(function () { return found; });
  }

  function sentList(userId) {
    return getAllByUser("sent", userId).then(function (items) {
      return items.sort(function (a, b) { return a.sentAt < b.sentAt ? 1 : -1; });
    });
  }

  // -- drafts, offline reads, meta ----------------------------------------------------------

  function draftKey(userId, key) { return String(userId) + "|" + key; }

  function saveDraft(userId, key, data) {
    var record = { key: draftKey(userId, key), userId: String(userId), data: data,
      savedAt: new Date().toISOString() };
    return tx(["drafts"], "readwrite", function (t) { t.objectStore("drafts").put(record); });
  }

  function getDraft(userId, key) {
    var found;
    return tx(["drafts"], "readonly", function (t) {
      t.objectStore("drafts").get(draftKey(userId, key)).onsuccess = function (e) {
        found = e.target.result;
      };
    }).then(function () { return found || null; });
  }

  function deleteDraft(userId, key) {
    return tx(["drafts"], "readwrite", function (t) {
      t.objectStore("drafts").delete(draftKey(userId, key));
    });
  }

  function addView(userId, childId, what) {
    var view = { id: uuid(), userId: String(userId), child_id: Number(childId),
      what: what || "child", at: new Date().toISOString() };
    return tx(["views"], "readwrite", function (t) { t.objectStore("views").put(view); });
  }

  function getMeta(key) {
    var found;
    return tx(["meta"], "readonly", function (t) {
      t.objectStore("meta").get(key).onsuccess = function (e) { found = e.target.result; };
    }).then(function () { return found ? found.value : null; });
  }

  function setMeta(key, value) {
    return tx(["meta"], "readwrite", function (t) {
      t.objectStore("meta").put({ key: key, value: value });
    });
  }

  // -- notifications to every page and the worker ----------------------------------------------

  var channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("opspor-outbox") : null;
  var listeners = [];

  function changed(detail) {
    var message = Object.assign({ type: "changed" }, detail || {});
    listeners.forEach(function (fn) { try { fn(message); } catch (e) { /* keep going */ } });
    if (channel) channel.postMessage(message);
  }

  function onChange(fn) {
    listeners.push(fn);
    if (channel && listeners.length === 1) {
      channel.onmessage = function (event) {
        listeners.forEach(function (f) { try { f(event.data); } catch (e) { /* keep going */ } });
      };
    }
  }

  // -- sending --------------------------------------------------------------------------------

  function backoffMs(attempts) {
    var base = Math.min(5 * 60 * 1000, 5000 * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  function timeoutFetch(url, options, ms) {
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, ms) : null;
    var opts = Object.assign({ credentials: "same-origin", cache: "no-store" }, options || {});
    if (controller) opts.signal = controller.signal;
    return fetch(url, opts).finally(function () { if (timer) clearTimeout(timer); });
  }

  function session() {
    return timeoutFetch("/api/csrf", { headers: { Accept: "application/json" } }, 15000)
      .then(function (response) {
        if (response.status === 401) return { auth: true };
        if (!response.ok) return { down: true };
        return response.json().then(function (body) {
          return { token: body.csrf_token, userId: String(body.user_id) };
        });
      }, function () { return { down: true }; });
  }

  function postJson(url, body, token) {
    return timeoutFetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json",
        "X-CSRFToken": token },
      body: JSON.stringify(body),
    }, 30000);
  }

  function wire(item) {
    return { id: item.id, kind: item.kind, payload: item.payload, created_at: item.createdAt,
      base_version: item.baseVersion, form_version: item.formVersion, labels: item.labels };
  }

  function putAll(store, items) {
    return tx([store], "readwrite", function (t) {
      items.forEach(function (i) { t.objectStore(store).put(i); });
    });
  }

  // One replay at a time across the page(s) and the worker. `wait`: queue behind a running
  // one ("Send nu") instead of giving up.
  function withLock(work, wait) {
    var locks = root.navigator && root.navigator.locks;
    if (locks && locks.request) {
      return locks.request(LOCK, wait ? {} : { ifAvailable: true }, function (lock) {
        return lock ? work() : { busy: true };
      });
    }
    if (root.__opsporReplaying) return Promise.resolve({ busy: true });
    root.__opsporReplaying = true;
    return Promise.resolve().then(work).finally(function () { root.__opsporReplaying = false; });
  }

  // Send what waits, for the user whose session this is. options.force ignores back-off
  // ("Send nu"). Resolves to a summary; never rejects for network trouble.
  function replay(options) {
    options = options || {};
    return withLock(function () { return replayLocked(options); }, Boolean(options.force));
  }

  function replayLocked(options) {
    var summary = { sent: 0, duplicate: 0, conflict: 0, action: 0, waiting: 0, requeued: 0,
      auth: false, down: false, userId: null };
    var token;
    return session().then(function (s) {
      if (s.auth) { summary.auth = true; return setMeta("authNeeded", true); }
      if (s.down) { summary.down = true; return null; }
      token = s.token;
      summary.userId = s.userId;
      return setMeta("authNeeded", false)
        .then(function () { return sendAll(s.userId, token, options, summary); })
        .then(function () {
          if (summary.down || summary.auth) return null;
          return reconcile(s.userId, token, summary).then(function () {
            // What reconciliation put back goes out at once.
            if (summary.requeued) return sendAll(s.userId, token, { force: true }, summary);
            return null;
          });
        });
    }).then(function () {
      return setMeta("lastReplay", { at: new Date().toISOString(), summary: summary });
    }).then(function () {
      changed({ replay: summary });
      return summary;
    });
  }

  function sendAll(userId, token, options, summary) {
    var now = Date.now();
    return list(userId).then(function (items) {
      var due = items.filter(function (i) {
        return (i.status === "pending" || i.status === "sending") &&
          (options.force || !i.nextAttemptAt || i.nextAttemptAt <= now);
      });
      summary.waiting = items.filter(function (i) { return i.status !== "action"; }).length;
      return pendingViews(userId).then(function (views) {
        return sendBatches(due, views, token, summary);
      });
    });
  }

  function pendingViews(userId) {
    return getAllByUser("views", userId).then(function (views) { return views.slice(0, 500); });
  }

  function sendBatches(items, views, token, summary) {
    if (!items.length && !views.length) return Promise.resolve();
    var batch = items.slice(0, BATCH);
    var rest = items.slice(BATCH);
    var started = new Date().toISOString();
    batch.forEach(function (i) {
      // From here on the item is frozen: the server may have it.
      i.status = "sending"; i.frozen = true; i.attempts += 1; i.sendingStartedAt = started;
    });
    changed();
    return putAll("outbox", batch).then(function () {
      var body = { items: batch.map(wire), views: views.map(function (v) {
        return { id: v.id, child_id: v.child_id, at: v.at, what: v.what };
      }) };
      return postJson("/api/sync", body, token).then(function (response) {
        if (response.status === 401) {
          summary.auth = true;
          return setMeta("authNeeded", true).then(function () { return retryLater(batch, false); });
        }
        if (response.status === 413 && batch.length > 1) {
          // Too much at once: send the batch in two halves.
          var half = Math.ceil(batch.length / 2);
          return resetSending(batch).then(function () {
            return sendBatches(batch.slice(0, half), views, token, summary);
          }).then(function () {
            if (summary.down || summary.auth) return null;
            return sendBatches(batch.slice(half).concat(rest), [], token, summary);
          });
        }
        if (response.status === 413) {
          return settle(batch, [{ id: batch[0].id, status: "invalid",
            message: "too_large" }], summary).then(function () {
            return sendBatches(rest, [], token, summary);
          });
        }
        if (!response.ok) {
          summary.down = true;
          return retryLater(batch, true);
        }
        return response.json().then(function (answer) {
          return forgetViews(answer.views || [])
            .then(function () { return settle(batch, answer.results || [], summary); })
            .then(function () { return sendBatches(rest, [], token, summary); });
        });
      }, function () {
        // Network error or time-out: the server may or may not have it. Keep, frozen, retry.
        summary.down = true;
        return retryLater(batch, true);
      });
    });
  }

  function resetSending(batch) {
    batch.forEach(function (i) { i.status = "pending"; i.attempts = Math.max(0, i.attempts - 1); });
    return putAll("outbox", batch);
  }

  function retryLater(batch, backoff) {
    var now = Date.now();
    batch.forEach(function (i) {
      i.status = "pending";
      i.nextAttemptAt = backoff ? now + backoffMs(i.attempts) : 0;
    });
    return putAll("outbox", batch).then(function () { changed(); });
  }

  function forgetViews(ids) {
    if (!ids.length) return Promise.resolve();
    return tx(["views"], "readwrite", function (t) {
      ids.forEach(function (id) { t.objectStore("views").delete(id); });
    });
  }

  function settle(batch, results, summary) {
    var byId = {};
    results.forEach(function (r) { byId[r.id] = r; });
    var now = new Date().toISOString();
    return tx(["outbox", "sent"], "readwrite", function (t) {
      var outbox = t.objectStore("outbox");
      var sent = t.objectStore("sent");
      batch.forEach(function (item) {
        var r = byId[item.id];
        if (!r) { item.status = "pending"; outbox.put(item); return; }
        if (r.status === "accepted" || r.status === "duplicate" || r.status === "conflict") {
          summary[r.status === "accepted" ? "sent" : r.status] += 1;
          if (r.status === "duplicate") summary.sent += 1;
          outbox.delete(item.id);
          sent.put(Object.assign({}, item, { status: "sent", receipt: r.status,
            conflictId: r.conflict_id || null, sentAt: now }));
        } else if (r.status === "invalid" || r.status === "forbidden" ||
                   (r.status === "error" && item.attempts >= MAX_ERROR_ATTEMPTS)) {
          summary.action += 1;
          item.status = "action";
          item.reason = r.status;
          item.errors = r.errors || {};
          item.message = r.message || "";
          outbox.put(item);
        } else {
          item.status = "pending";
          item.nextAttemptAt = Date.now() + backoffMs(item.attempts);
          outbox.put(item);
        }
      });
    }).then(function () { changed(); });
  }

  // Ask the server which items sent recently it does not hold, and queue those again.
  function reconcile(userId, token, summary) {
    var cutoff = new Date(Date.now() - SENT_KEEP_MS).toISOString();
    return sentList(userId).then(function (sent) {
      var old = sent.filter(function (s) { return s.sentAt < cutoff; });
      var recent = sent.filter(function (s) { return s.sentAt >= cutoff; });
      var prune = old.length ? tx(["sent"], "readwrite", function (t) {
        old.forEach(function (s) { t.objectStore("sent").delete(s.id); });
      }) : Promise.resolve();
      if (!recent.length) return prune;
      return prune.then(function () {
        return postJson("/api/sync/reconcile", { ids: recent.map(function (s) { return s.id; }) },
          token);
      }).then(function (response) {
        if (!response.ok) return null;
        return response.json().then(function (answer) {
          var missing = {};
          (answer.missing || []).forEach(function (id) { missing[id] = true; });
          var back = recent.filter(function (s) { return missing[s.id]; });
          if (!back.length) return null;
          summary.requeued += back.length;
          return tx(["outbox", "sent"], "readwrite", function (t) {
            back.forEach(function (s) {
              var item = Object.assign({}, s, { status: "pending", nextAttemptAt: 0 });
              delete item.sentAt; delete item.receipt;
              t.objectStore("outbox").put(item);
              t.objectStore("sent").delete(s.id);
            });
          });
        });
      }, function () { return null; });
    });
  }

  root.OpsporOutbox = {
    DB_NAME: DB_NAME,
    DB_VERSION: DB_VERSION,
    uuid: uuid,
    open: open,
    add: add,
    get: get,
    list: list,
    counts: counts,
    edit: edit,
    remove: remove,
    sentList: sentList,
    saveDraft: saveDraft,
    getDraft: getDraft,
    deleteDraft: deleteDraft,
    addView: addView,
    getMeta: getMeta,
    setMeta: setMeta,
    replay: replay,
    hasWork: hasWork,
    onChange: onChange,
    changed: changed,
  };
})(self);
