// quizapp's service worker: reloading an attempt page in a dead zone shows the test (and,
// through attempt.js, the answers kept on the phone) instead of the browser's error page.
//
// Served at /sw.js (quizapp/assets.py) with the scope /attempts/, registered by
// static/js/sw-register.js. It keeps:
//   - attempt pages (/attempts/<id>), network first: every load online refreshes the copy,
//     a failed load serves it, marked as an offline copy (sw-register.js corrects its clock);
//     a page that no longer answers 200 (submitted, logged out) is dropped, and so is the page
//     when its result page opens;
//   - static files with a version (?v=<hash>), cache first: the URL changes with the file.
// Nothing else: no POST, no JSON API, no other page ever goes through it. The pages kept
// belong to one member: sw-register.js empties them on logout and when another member logs in.
"use strict";

var PAGES = "quizapp-pages";
var STATIC = "quizapp-static";
var ATTEMPT_PAGE = /^\/attempts\/(\d+)$/;
var RESULT_PAGE = /^\/attempts\/(\d+)\/result$/;
var CACHED_AT = "X-Quizapp-Cached-At";

self.addEventListener("install", function (event) {
  self.skipWaiting();
  // Where the browser routes by itself (Chromium's static routing API), what the worker never
  // keeps does not even wake it: answers, submits, the page-leave count and every JSON
  // request go straight to the network, as on a page without a worker. Elsewhere the fetch
  // handler below lets them through untouched.
  if (event.addRoutes) {
    event.waitUntil(Promise.resolve().then(function () {
      return event.addRoutes([
        { condition: { not: { requestMethod: "GET" } }, source: "network" },
        { condition: { urlPattern: new URLPattern({ pathname: "/api/*" }) }, source: "network" }
      ]);
    }).catch(function () { /* an older router: the fetch handler decides */ }));
  }
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name !== PAGES && name !== STATIC;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function pageKey(url) {
  return url.origin + url.pathname;
}

function isVersionedStatic(url) {
  return url.pathname.indexOf("/static/") === 0 && url.searchParams.has("v");
}

// --- attempt pages ------------------------------------------------------------------------

function keepPage(key, response) {
  if (response.status !== 200 || response.type !== "basic" || response.redirected) {
    return caches.open(PAGES).then(function (cache) { return cache.delete(key); });
  }
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(CACHED_AT, String(Date.now()));
    return caches.open(PAGES).then(function (cache) {
      return cache.put(key, new Response(body, { status: 200, headers: headers }));
    });
  });
}

// The kept page, marked for sw-register.js with the time it was kept (the page's timers
// count from then).
function offlineCopy(cached) {
  var keptAt = cached.headers.get(CACHED_AT) || String(Date.now());
  return cached.text().then(function (html) {
    var marked = html.replace(
      /<head>/i, '<head><meta name="quizapp-offline-copy" content="' + keptAt + '">');
    return new Response(marked, { status: 200, headers: cached.headers });
  });
}

function noCopy() {
  return new Response(
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>网络不可用</title></head><body><h1>网络不可用</h1>" +
    "<p>本机没有保存这份答卷的页面。请联网后重新打开。已作答的答案仍保存在本机，联网后会自动上传。</p>" +
    "</body></html>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function attemptPage(request, key) {
  return fetch(request).then(function (response) {
    return keepPage(key, response.clone()).then(function () { return response; },
      function () { return response; });
  }, function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(key); })
      .then(function (cached) { return cached ? offlineCopy(cached) : noCopy(); });
  });
}

// --- static files -------------------------------------------------------------------------

// Keep one version of each file: drop the entries of the same path with another version.
function keepStatic(cache, request, response) {
  var url = new URL(request.url);
  return cache.put(request, response).then(function () {
    return cache.keys();
  }).then(function (requests) {
    return Promise.all(requests.filter(function (old) {
      var oldUrl = new URL(old.url);
      return oldUrl.pathname === url.pathname && oldUrl.search !== url.search;
    }).map(function (old) { return cache.delete(old); }));
  });
}

function staticFile(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") {
          keepStatic(cache, request, response.clone()).catch(function () { /* full */ });
        }
        return response;
      });
    });
  });
}

// --- requests -----------------------------------------------------------------------------

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && ATTEMPT_PAGE.test(url.pathname)) {
    event.respondWith(attemptPage(request, pageKey(url)));
  } else if (request.mode === "navigate" && RESULT_PAGE.test(url.pathname)) {
    // The attempt is over: its page is no longer needed on the phone.
    var attemptUrl = url.origin + "/attempts/" + RESULT_PAGE.exec(url.pathname)[1];
    event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.delete(attemptUrl); }));
  } else if (isVersionedStatic(url)) {
    event.respondWith(staticFile(request));
  }
});

// An attempt page opened before this worker controlled it asks to keep itself and its files
// (sw-register.js): the page is fetched again, so the copy is the server's, not the DOM.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  event.waitUntil(Promise.all(data.urls.map(function (href) {
    var url;
    try { url = new URL(href, self.location.origin); } catch (e) { return null; }
    if (url.origin !== self.location.origin) return null;
    if (ATTEMPT_PAGE.test(url.pathname)) {
      var key = pageKey(url);
      return fetch(key, { credentials: "same-origin", redirect: "manual" })
        .then(function (response) { return keepPage(key, response); })
        .catch(function () { /* offline: nothing to keep */ });
    }
    if (isVersionedStatic(url)) {
      return staticFile(new Request(url.href)).catch(function () { /* offline */ });
    }
    return null;
  })));
});
