/* Từng Nhà service worker: the app shell, static files and the offline page in versioned
   caches; pages network-first with a short timeout, so a stopped or hanging server falls
   back to the cached shell, which renders villages and households from the offline pack. */
"use strict";
var VERSION = "v5";  // v5: hardened scripts (no inline code, lost-phone wipe)
var STATIC = "tn-static-" + VERSION, SHELL = "tn-shell-" + VERSION;
// Base map tiles over the user's villages: named tn-shell-… so that logout, which drops the
// personal tn-shell caches, drops them too.
var TILES = "tn-shell-tiles", TILE_SUMMARY = "/tiles/offline-summary";
var PAGE_TIMEOUT = 3500;
var ASSETS = ["/offline", "/static/css/app.css", "/static/css/sync.css", "/static/vendor/htmx.min.js", "/static/js/app.js",
  "/static/js/outbox.js", "/static/js/sync.js", "/static/js/photo.js", "/static/js/pack.js", "/static/js/field.js",
  "/static/js/attention.js", "/static/icons/icon.svg", "/static/icons/icon-192.png", "/manifest.webmanifest",
  "/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/static/css/map.css",
  "/static/js/basemap.js", "/static/js/village-map.js"];
// Pages the shell can draw from the pack: home (my villages), one village, one household.
var SHELL_PAGES = /^\/(villages\/(\d+)?|households\/([0-9a-f-]{36}|new))?$/;
var MAP_PAGE = /^\/villages\/\d+\/map$/;  // drawn offline from the village-less map page

importScripts("/static/js/outbox.js", "/static/js/sync.js", "/static/js/photo.js");

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll(ASSETS); })
    .then(cacheShell).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("tn-") === 0 && k !== STATIC && k !== SHELL && k !== TILES; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The shell is personal (it carries the menu of the signed-in user): cached only when
// the server answers it, dropped on logout by the page.
function cacheShell() {
  return Promise.all(["/sync/shell", "/villages/map"].map(function (path) {
    return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
      if (r.ok && r.type === "basic") return caches.open(SHELL).then(function (c) { return c.put(path, r); });
    }).catch(function () {});
  })).then(cacheTiles);
}

// The tiles the server plans for this user (their villages, the offline zoom levels, within
// the budget). A new plan (villages, file or settings changed) drops the old tiles first.
var tilesRun = null;
function cacheTiles() {
  if (tilesRun) return tilesRun;
  tilesRun = fetch("/tiles/offline.json", { credentials: "same-origin", redirect: "manual", cache: "no-store" })
    .then(function (r) { return r.ok && r.type === "basic" ? r.json() : null; })
    .then(function (plan) {
      if (!plan) return;
      return caches.match(TILE_SUMMARY, { cacheName: TILES }).then(function (r) { return r ? r.json() : null; }).then(function (had) {
        if (had && had.key === plan.key && had.count === plan.tiles.length) return;
        return caches.delete(TILES).then(function () { return plan.tiles.length ? fetchTiles(plan) : null; });
      });
    }).catch(function () {}).then(function () { tilesRun = null; });
  return tilesRun;
}

function fetchTiles(plan) {
  return caches.open(TILES).then(function (cache) {
    var queue = plan.tiles.slice(), bytes = 0, count = 0;
    function next() {
      var key = queue.shift();
      if (!key) return null;
      return fetch("/tiles/" + key, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) return;
        return r.clone().blob().then(function (b) { bytes += b.size; count += 1; return cache.put("/tiles/" + key, r); });
      }).catch(function () {}).then(next);
    }
    return Promise.all([next(), next(), next(), next()]).then(function () {
      var summary = JSON.stringify({ key: plan.key, bytes: bytes, count: count });
      return cache.put(TILE_SUMMARY, new Response(summary, { headers: { "Content-Type": "application/json" } }));
    });
  });
}

function tile(request) {
  return caches.match(new URL(request.url).pathname, { cacheName: TILES }).then(function (hit) {
    return hit || fetch(request);
  });
}

self.addEventListener("message", function (event) {
  if (event.data === "cache-shell") event.waitUntil(cacheShell());
});

self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") event.waitUntil(TN.syncNow());
});

function withTimeout(promise, ms) {
  return new Promise(function (ok, ko) {
    var t = setTimeout(function () { ko(new Error("timeout")); }, ms);
    promise.then(function (r) { clearTimeout(t); ok(r); }, function (e) { clearTimeout(t); ko(e); });
  });
}

function page(request) {
  var url = new URL(request.url), mapPage = MAP_PAGE.test(url.pathname), drawable = mapPage || SHELL_PAGES.test(url.pathname);
  // Pages the shell can draw give the server a few seconds; others wait longer for a slow link.
  return withTimeout(fetch(request), drawable ? PAGE_TIMEOUT : 20000).catch(function () {
    var shell = drawable ? caches.match(mapPage ? "/villages/map" : "/sync/shell", { cacheName: SHELL }) : Promise.resolve();
    return shell.then(function (r) { return r || caches.match("/offline", { cacheName: STATIC }); })
      .then(function (r) { return r || Response.error(); });
  });
}

// Static files: from the cache at once, refreshed in the background for the next load.
function asset(request) {
  return caches.open(STATIC).then(function (c) {
    return c.match(request, { ignoreSearch: true }).then(function (hit) {
      var fresh = fetch(request).then(function (r) {
        if (r.ok) c.put(request, r.clone());
        return r;
      });
      if (hit) { fresh.catch(function () {}); return hit; }
      return withTimeout(fresh, PAGE_TIMEOUT);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") event.respondWith(asset(request));
  else if (/^\/tiles\/\d+\/\d+\/\d+$/.test(url.pathname)) event.respondWith(tile(request));
});
