// Opspor service worker. The app serves it at /sw.js (app/sync/worker.py) with a generated
// header before this code: self.OPSPOR = {version, precache, precacheOptional, offlineUrl,
// navTimeoutMs} and
// importScripts() of the outbox module (self.OpsporOutbox) and the optional modules in
// service_worker/ (e.g. push.js).
//
// Caches: "opspor-shell-<version>" holds the app shell; "opspor-pages-<version>-u<user id>"
// holds one user's pages. A page is stored only in the cache of the user the server rendered it
// for (X-Opspor-User); another user's pages are deleted as soon as a different user is seen, and
// a user's pages at logout. A new version re-fetches the user's prepared pages while it
// installs, and deletes every older cache when it activates: versions are never mixed.
"use strict";

var CONFIG = self.OPSPOR;
var VERSION = CONFIG.version;
var SHELL = "opspor-shell-" + VERSION;
var PAGES = "opspor-pages-" + VERSION + "-u";
var Outbox = self.OpsporOutbox;
var SYNC_TAG = "opspor-outbox";

function pagesCache(userId) {
  return PAGES + userId;
}

// -- who is using the device ----------------------------------------------------------------

var knownUser; // undefined: not read yet; null: nobody

function currentUser() {
  if (knownUser !== undefined) return Promise.resolve(knownUser);
  return Outbox.getMeta("currentUser").then(function (value) {
    knownUser = value || null;
    return knownUser;
  });
}

function deletePageCaches(keep) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("opspor-pages-") === 0 && !keep(name);
    }).map(function (name) { return caches.delete(name); }));
  });
}

// A different user on the device: delete every other user's pages at once.
function switchUser(userId) {
  userId = String(userId);
  return currentUser().then(function (current) {
    if (current === userId) return null;
    knownUser = userId;
    return Outbox.setMeta("currentUser", userId).then(function () {
      return deletePageCaches(function (name) { return endsWith(name, "-u" + userId); });
    });
  });
}

function forgetUser(userId) {
  userId = String(userId);
  knownUser = null;
  return Promise.all([
    Outbox.setMeta("currentUser", null),
    Outbox.setMeta("prepared:" + userId, null),
    deletePageCaches(function (name) { return !endsWith(name, "-u" + userId); }),
  ]).then(function () { return { ok: true }; });
}

function endsWith(text, suffix) {
  return text.slice(-suffix.length) === suffix;
}

// -- install and activate --------------------------------------------------------------------

// Chromium's static routing: every page's critical assets (hashed URLs, all in this version's
// shell cache once install succeeds) are served from that cache without waking the worker, so
// a cold start in flight mode does not wait for the worker once per asset. Browsers without
// addRoutes use the fetch handler's cacheFirst, which gives the same answer.
function shellRoutes(event) {
  if (typeof event.addRoutes !== "function") return Promise.resolve();
  var rules = CONFIG.precache.map(function (url) {
    var parsed = new URL(url, self.location.origin);
    return {
      condition: { urlPattern: { pathname: parsed.pathname, search: parsed.search.slice(1) } },
      source: { cacheName: SHELL },
    };
  });
  return Promise.resolve(event.addRoutes(rules)).catch(function () { return null; });
}

self.addEventListener("install", function (event) {
  var routes = shellRoutes(event);
  event.waitUntil(routes.then(function () { return caches.open(SHELL); }).then(function (cache) {
    var offline = fetch(new Request(CONFIG.offlineUrl, { credentials: "omit" }))
      .then(function (response) {
        if (!response.ok) throw new Error("offline page " + response.status);
        return cache.put(CONFIG.offlineUrl, response);
      });
    var optional = Promise.all((CONFIG.precacheOptional || []).map(function (url) {
      return cache.add(url).catch(function () { return null; }); // fetched again when used
    }));
    return Promise.all([cache.addAll(CONFIG.precache), offline, optional]);
  }).then(function () {
    // Carry the prepared pages over to this version (fetched anew: they name new assets).
    return currentUser().then(function (userId) {
      return userId ? prepare(userId).catch(function () { return null; }) : null;
    });
  }));
  // No skipWaiting here: a page tells the new version to take over when it is safe (no open
  // form, nothing being sent). See offline.js.
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("opspor-") === 0 && name !== SHELL && name.indexOf(PAGES) !== 0;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }).then(function () {
    replayIfWork();
  }));
});

// -- fetch -----------------------------------------------------------------------------------

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;
  if (path.indexOf("/api/") === 0 || path === "/sw.js" || path.indexOf("/sw/") === 0) return;
  if (path.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(request, url));
    return;
  }
  if (request.mode === "navigate" || request.headers.get("HX-Request")) {
    event.respondWith(networkFirst(event, request));
  }
});

function cacheFirst(request, url) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && url.searchParams.get("v")) cache.put(request, response.clone());
        return response;
      }, function () {
        return cache.match(request, { ignoreSearch: true }).then(function (any) {
          return any || Response.error();
        });
      });
    });
  });
}

function isFragmentRequest(request) {
  return Boolean(request.headers.get("HX-Request")) && !request.headers.get("HX-Boosted");
}

function networkFirst(event, request) {
  // Known to be offline (flight mode, no signal): the device's copy at once, without waiting
  // for the network to fail first.
  if (self.navigator.onLine === false) return fromDevice(request, "failed");
  var network = fetch(request);
  event.waitUntil(network.then(function (response) {
    return storePage(request, response.clone());
  }).catch(function () { return null; }));
  var timeout = new Promise(function (resolve) {
    setTimeout(resolve, CONFIG.navTimeoutMs, "timeout");
  });
  var answered = network.catch(function () { return "failed"; });
  return Promise.race([answered, timeout]).then(function (winner) {
    if (winner !== "timeout" && winner !== "failed") return winner;
    return fromDevice(request, winner, network);
  });
}

// The user's cached copy of the page, else (after a time-out) the network's late answer, else
// the offline page.
function fromDevice(request, why, network) {
  return cachedPage(request).then(function (hit) {
    if (hit) return markOfflineCopy(hit);
    if (why === "timeout") return network.catch(function () { return fallback(request); });
    return fallback(request);
  });
}

function storePage(request, response) {
  if (response.status !== 200 || response.type !== "basic" || response.redirected) return null;
  if (isFragmentRequest(request)) return null; // only whole pages are kept
  var userId = response.headers.get("X-Opspor-User");
  var type = response.headers.get("Content-Type") || "";
  var control = response.headers.get("Cache-Control") || "";
  if (!userId || type.indexOf("text/html") !== 0 || control.indexOf("no-store") !== -1) {
    return null;
  }
  return switchUser(userId).then(function () {
    return caches.open(pagesCache(userId));
  }).then(function (cache) { return cache.put(request, response); });
}

function cachedPage(request) {
  return currentUser().then(function (userId) {
    if (!userId) return undefined;
    return caches.open(pagesCache(userId)).then(function (cache) {
      // Vary: HX-Request is honoured; a boosted request may take the whole page it asks for.
      return cache.match(request).then(function (hit) {
        if (hit || !request.headers.get("HX-Boosted")) return hit;
        return cache.match(request.url, { ignoreVary: true });
      });
    });
  });
}

// Mark a page served from the device, so the page can say it is offline and how old it is.
function markOfflineCopy(response) {
  return response.text().then(function (html) {
    var marked = html.replace("data-rendered-at=", 'data-offline-copy="1" data-rendered-at=');
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    headers.set("X-Opspor-Offline-Copy", "1");
    return new Response(marked, { status: 200, statusText: "OK", headers: headers });
  });
}

function fallback(request) {
  if (isFragmentRequest(request)) {
    return new Response("", { status: 503, statusText: "Offline" });
  }
  return caches.open(SHELL).then(function (cache) {
    return cache.match(CONFIG.offlineUrl);
  }).then(function (page) {
    return page ? markOfflineCopy(page) : new Response("Offline", { status: 503 });
  });
}

// -- offline preparation ---------------------------------------------------------------------

var preparing = {}; // one preparation per user at a time

function prepare(userId) {
  userId = String(userId);
  if (!preparing[userId]) {
    preparing[userId] = prepareNow(userId).finally(function () { delete preparing[userId]; });
  }
  return preparing[userId];
}

function prepareNow(userId) {
  var options = { credentials: "same-origin", cache: "no-store",
    headers: { Accept: "application/json" } };
  return fetch("/api/offline/plan", options).then(function (response) {
    if (response.status === 401) return { ok: false, auth: true };
    if (!response.ok) return { ok: false };
    return response.json().then(function (plan) {
      if (String(plan.user_id) !== userId) return { ok: false, mismatch: true };
      var previous;
      return switchUser(userId).then(function () {
        return Outbox.getMeta("prepared:" + userId);
      }).then(function (meta) {
        previous = meta && meta.version === VERSION ? meta.pages : [];
        return caches.open(pagesCache(userId));
      }).then(function (cache) {
        return fetchPages(cache, plan.pages, userId, previous);
      }).then(function (failed) {
        var meta = { preparedAt: new Date().toISOString(), children: plan.children,
          pages: plan.pages, failed: failed, version: VERSION };
        return Outbox.setMeta("prepared:" + userId, meta).then(function () {
          return { ok: true, meta: meta };
        });
      });
    });
  }, function () { return { ok: false, offline: true }; });
}

function fetchPages(cache, pages, userId, previous) {
  var queue = pages.slice();
  var failed = 0;
  var wanted = {};
  pages.forEach(function (p) { wanted[new URL(p.url, self.location.origin).href] = true; });
  function next() {
    var page = queue.shift();
    if (!page) return Promise.resolve();
    // Marked as a preparation: the server leaves flash messages for the user's own next page.
    var request = new Request(page.url, {
      credentials: "same-origin", headers: { "X-Opspor-Prepare": "1" },
    });
    return fetch(request).then(function (response) {
      if (response.status === 200 && !response.redirected &&
          response.headers.get("X-Opspor-User") === userId) {
        return cache.put(request, response);
      }
      failed += 1;
      return null;
    }, function () { failed += 1; }).then(next);
  }
  // One page at a time: preparation runs in the background, and each page read is written to
  // the access log, so it should not compete with the user's own requests for the database.
  return next().then(function () {
    // Pages of the previous plan that are no longer planned leave the device. (Pages the user
    // opened herself stay until logout or the next version.)
    return Promise.all((previous || []).map(function (p) {
      var url = new URL(p.url, self.location.origin).href;
      return wanted[url] ? null : cache.delete(url);
    }));
  }).then(function () { return failed; });
}

// A newer version is installing or waiting: it prepares for itself, this one would waste time
// (and hold up the hand-over).
function newerVersionExists() {
  var reg = self.registration;
  var me = self.serviceWorker;
  if (me) return me.state === "activated" && Boolean(reg.installing || reg.waiting);
  return Boolean(reg.installing || reg.waiting) && reg.active !== null;
}

function ensurePrepared(userId) {
  userId = String(userId);
  if (newerVersionExists()) return Promise.resolve({ ok: false, superseded: true });
  return switchUser(userId).then(function () {
    return Outbox.getMeta("prepared:" + userId);
  }).then(function (meta) {
    var today = new Date().toDateString();
    if (meta && meta.version === VERSION && new Date(meta.preparedAt).toDateString() === today) {
      return { ok: true, meta: meta, fresh: false };
    }
    return prepare(userId);
  });
}

// -- messages, background sync, start-up -----------------------------------------------------

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var work;
  switch (data.type) {
    case "SKIP_WAITING":
      self.skipWaiting();
      return;
    case "claim": // a page that loaded while this version was activating
      work = self.clients.claim();
      break;
    case "user":
      work = switchUser(data.userId);
      break;
    case "logout":
      work = forgetUser(data.userId);
      break;
    case "prepare":
      work = prepare(data.userId);
      break;
    case "ensure-prepared":
      work = ensurePrepared(data.userId);
      break;
    case "replay":
      work = Outbox.replay({ force: Boolean(data.force) });
      break;
    case "version":
      work = Promise.resolve({ version: VERSION });
      break;
    default:
      return;
  }
  event.waitUntil(work.then(function (value) {
    if (port) port.postMessage(value || { ok: true });
  }, function (error) {
    if (port) port.postMessage({ ok: false, error: String(error) });
  }));
});

self.addEventListener("sync", function (event) {
  if (event.tag !== SYNC_TAG) return;
  // The browser says the connection is back: send now, whatever the back-off says.
  event.waitUntil(Outbox.replay({ force: true }).then(function (summary) {
    // Rejecting asks the browser to try the sync again later (the app may be closed by then).
    if (summary && summary.down) throw new Error("server not reachable");
  }));
});

// Worker start-up (and activation of a new version): send what waits. A version that is still
// installing or waiting leaves this to the active one.
function replayIfWork() {
  return Outbox.hasWork().then(function (work) {
    return work ? Outbox.replay() : null;
  }).catch(function () { return null; });
}

function isActiveVersion() {
  if (self.serviceWorker) return self.serviceWorker.state === "activated";
  return !self.registration.installing && !self.registration.waiting;
}

if (isActiveVersion()) replayIfWork();
