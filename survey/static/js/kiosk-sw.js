/* The kiosk's service worker: keeps the kiosk page and its assets usable when the network
 * drops. Answers are not handled here: kiosk.js queues them in IndexedDB and sends them. */
"use strict";
var CACHE = "hailong-kiosk-v1";
var ASSETS = ["/static/css/base.css", "/static/css/collect.css", "/static/js/showif.js",
              "/static/js/kiosk.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
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
