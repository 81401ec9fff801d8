// The offline shell of attempt pages, page side (the worker is static/sw.js): on a logged-in
// member's pages, register the worker for /attempts/; keep its pages to one member (emptied
// on any page of another member or of nobody, e.g. the login page after logging out); and
// on an attempt page the worker served from its copy, correct the timers and say so.
// Loaded by base.html before any page script, so attempt.js reads the corrected timers.
// Service workers need a secure context (HTTPS, or localhost): elsewhere this does nothing.
(function () {
  "use strict";
  var script = document.currentScript;
  var member = script.getAttribute("data-member") || "";
  var PAGES = "quizapp-pages";
  var OWNER = "quizapp.sw.member";

  // --- an offline copy of an attempt page --------------------------------------------------
  var copy = document.querySelector('meta[name="quizapp-offline-copy"]');
  if (copy) {
    var keptAt = parseInt(copy.getAttribute("content"), 10) || Date.now();
    var age = Math.max(0, Date.now() - keptAt);
    var attempt = document.getElementById("attempt");
    // The page counted its time from when it was kept: move its clock on by the copy's age.
    var shift = function (name, by, floor) {
      if (!attempt || !attempt.hasAttribute(name)) return;
      var value = parseInt(attempt.getAttribute(name), 10) || 0;
      attempt.setAttribute(name, String(Math.max(floor, value + by)));
    };
    shift("data-seconds-left", -Math.floor(age / 1000), 0);
    shift("data-elapsed-ms", age, 0);
    var kept = new Date(keptAt);
    var banner = document.createElement("div");
    banner.className = "notice notice-info offline-copy";
    banner.setAttribute("role", "status");
    banner.textContent = "网络不可用：这是本机 " + kept.getHours() + ":" +
      ("0" + kept.getMinutes()).slice(-2) + " 保存的答题页。作答照常保存在本机，联网后自动上传。";
    var main = document.querySelector("main");
    if (main) main.insertBefore(banner, main.firstChild);
    window.addEventListener("online", function () { banner.remove(); });
  }

  // --- one member's pages -----------------------------------------------------------------
  // Resolve true when the kept pages were emptied (they were another member's, or nobody's).
  function forgetOthers() {
    if (!window.caches) return Promise.resolve(false);
    var owner = null;
    try { owner = window.localStorage.getItem(OWNER); } catch (e) { /* no storage */ }
    if (member && owner === member) return Promise.resolve(false);
    return window.caches.delete(PAGES).then(function () {
      try {
        if (member) window.localStorage.setItem(OWNER, member);
        else window.localStorage.removeItem(OWNER);
      } catch (e) { /* no storage: emptied on every page, never served to another */ }
      return true;
    }, function () { return false; });
  }

  if (!member || !("serviceWorker" in navigator)) {
    forgetOthers();
    return;
  }
  // A page the worker did not serve (the first visit) asks it to keep the page and its files.
  var served = !!navigator.serviceWorker.controller;
  forgetOthers().then(function (emptied) {
    navigator.serviceWorker.register(script.getAttribute("data-sw"), {
      scope: script.getAttribute("data-scope")
    }).catch(function () { /* no offline copy: the page works as before */ });
    // Resolves only on pages in the worker's scope (attempt pages), once it is active.
    navigator.serviceWorker.ready.then(function (registration) {
      if ((served && !emptied) || !registration.active) return;
      var urls = [window.location.href];
      document.querySelectorAll("script[src], link[href]").forEach(function (node) {
        if (node.tagName === "SCRIPT") urls.push(node.src);
        else if (/stylesheet|icon/.test(node.rel)) urls.push(node.href);
      });
      registration.active.postMessage({ type: "keep", urls: urls });
    });
  });
})();
