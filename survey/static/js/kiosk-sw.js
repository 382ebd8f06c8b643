/* The kiosk's service worker: keeps the kiosk page and its assets usable when the network
 * drops. Answers are not handled here: kiosk.js queues them in IndexedDB and sends them. */
"use strict";
// The paths this worker answers for. /k/sw.js replaces the next two lines: the cache is named
// after the assets' versions and PRECACHE lists the versioned URLs the kiosk page asks for.
var CACHE = "hailong-kiosk-v1";
var PRECACHE = ["/static/css/base.css", "/static/css/collect.css", "/static/js/showif.js",
                "/static/js/kiosk.js"];
var ASSETS = PRECACHE.map(function (url) { return url.split("?")[0]; });

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(PRECACHE);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // A new release's assets live in a new cache; the old one is dropped.
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("hailong-kiosk-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    } else if (response.status >= 500) {
      // The server answers but cannot serve (its database is down: 503): the kiosk goes on
      // from its last good copy and queues answers, as when the network is down. A 403
      // (kiosk switched off) or 404 is final and shown.
      return caches.match(request).then(function (hit) { return hit || response; });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf("/k/") === 0) {
    event.respondWith(networkFirst(request));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request));
  }
});
