// Service worker of the counting page (served as /<database>/stocktake/sw.js,
// so its scope is the page). It keeps the app shell so that the page opens
// without a network; the scans themselves wait in IndexedDB (queue.js).
// Network first: online, the page and its files are always the server's
// (and refresh the cache); offline, the cached copy answers. The API is
// never cached nor answered here: a scan is sent by the page or not at all.
'use strict';
var CACHE = 'stocktake-shell-v6';
var PAGE = './';
// barcode-detector.js and zxing_reader.wasm: the camera's barcode reader
// where the browser has none (camera.js)
var SHELL = [PAGE, 'static/stocktake.css', 'static/i18n.js', 'static/idb.js',
  'static/queue.js', 'static/stocktake.js', 'static/lookup.js',
  'static/home.js', 'static/documents.js', 'static/qc.js',
  'static/finished.js', 'static/feedback.js', 'static/camera.js',
  'static/barcode-detector.js', 'static/zxing_reader.wasm'];
var SCOPE = new URL(PAGE, self.location.href).pathname;
var FILES = SHELL.map(function (path) {
  return new URL(path, self.location.href).pathname;
});

self.addEventListener('install', function (event) {
  // The API goes straight to the network, without waking this worker
  // (static routing, where the browser has it): a scan's request is not
  // held up by a fetch event that would only let it through
  if (event.addRoutes && self.URLPattern) {
    try {
      event.waitUntil(event.addRoutes({
        condition: {urlPattern: new URLPattern({pathname: SCOPE + 'api/*'})},
        source: 'network'
      }).catch(function () {}));
    } catch (e) {}  // the fetch handler below lets the API through anyway
  }
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    // `reload`: the server's copy, not one of the HTTP cache
    return cache.addAll(SHELL.map(function (path) {
      return new Request(path, {cache: 'reload'});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf('stocktake-shell-') === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  // The page under any query (e.g. a sign-in link) is one cached page
  var key = request.mode === 'navigate' && url.pathname === SCOPE ? PAGE :
    (FILES.indexOf(url.pathname) !== -1 ? url.pathname : null);
  if (!key) { return; }  // the API and anything else: the network only
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) {
        return cache.put(key, copy);
      }));
    }
    return response;
  }, function (failure) {
    return caches.match(key, {cacheName: CACHE}).then(function (cached) {
      if (cached) { return cached; }
      throw failure;
    });
  }));
});
