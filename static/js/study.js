// The material page: honest study minutes. While the page is visible and the member was
// active in the last minute (scroll, touch, key, pointer, or a video playing), it sends a
// heartbeat every data-interval seconds, and one last beat with navigator.sendBeacon when
// the page is hidden or left. The server's clock decides what each beat is worth; this
// script only shows the seconds the server credited.
(function () {
  "use strict";
  var root = document.getElementById("study");
  if (!root) return;

  var ACTIVE_WINDOW_MS = 60 * 1000;
  var STATUS = {
    running: "学习计时中",
    hidden: "页面不在前台，已暂停计时",
    idle: "长时间未操作，已暂停计时。滑动页面或播放视频即可继续。"
  };
  var url = root.getAttribute("data-heartbeat-url");
  var token = root.getAttribute("data-token");
  var intervalMs = Math.max(1, parseInt(root.getAttribute("data-interval"), 10) || 30) * 1000;
  var seconds = parseInt(root.getAttribute("data-seconds"), 10) || 0;
  var target = parseInt(root.getAttribute("data-target-seconds"), 10) || 0;
  var statusBox = document.getElementById("study-status");
  var timeBoxes = Array.prototype.slice.call(document.querySelectorAll("[data-material-time]"));
  var todayBox = document.getElementById("today-minutes");
  var progress = document.getElementById("material-progress");
  var markBox = document.querySelector("[data-mark]");
  var videos = Array.prototype.slice.call(document.querySelectorAll("video"));

  var lastActive = Date.now();  // opening the page is the member's first action
  var sending = false;
  var stopped = false;  // the server refused: the page expired, or the material closed
  var beaconSent = false;
  var state = "";

  // --- activity and state --------------------------------------------------------------
  function visible() { return document.visibilityState === "visible"; }

  function videoPlaying() {
    return videos.some(function (video) { return !video.paused && !video.ended; });
  }

  function active() { return videoPlaying() || Date.now() - lastActive <= ACTIVE_WINDOW_MS; }

  function currentState() {
    if (stopped) return "stopped";
    if (!visible()) return "hidden";
    return active() ? "running" : "idle";
  }

  function showStatus(message) {
    var next = currentState();
    if (next === state && !message) return next;
    state = next;
    if (next !== "stopped") message = STATUS[next];
    statusBox.textContent = message;
    statusBox.classList.toggle("is-paused", next !== "running");
    return next;
  }

  function markActive() {
    var was = state;
    lastActive = Date.now();
    // Back from idle: a "resume" beat restarts the server's clock from now, so the idle
    // stretch before it is never credited.
    if (was !== "running" && showStatus() === "running") beat(true);
  }
  // Capture on window also sees scrolls inside elements (scroll events don't bubble).
  ["scroll", "wheel", "touchstart", "keydown", "pointerdown"].forEach(function (name) {
    window.addEventListener(name, markActive, { capture: true, passive: true });
  });
  videos.forEach(function (video) {
    video.addEventListener("play", markActive);
    video.addEventListener("pause", markActive);  // the minute after a pause still counts
  });

  // --- showing what the server credited ------------------------------------------------
  function format(total) {
    var rest = total % 60;
    return Math.floor(total / 60) + " 分 " + (rest < 10 ? "0" : "") + rest + " 秒";
  }

  function showCredit(data) {
    seconds += data.credited || 0;
    root.setAttribute("data-seconds", String(seconds));
    timeBoxes.forEach(function (box) { box.textContent = format(seconds); });
    progress.value = Math.min(seconds, target);
    if (typeof data.today_minutes === "number") todayBox.textContent = data.today_minutes.toFixed(1);
    if (markBox && seconds > 0) {
      var done = seconds >= target;
      markBox.textContent = done ? "已完成" : "学习中";
      markBox.className = "badge mark mark-" + (done ? "done" : "in_progress");
    }
  }

  function refuse(error) {
    stopped = true;
    window.clearInterval(timer);
    showStatus(error.status === 401 ? "登录已过期，请重新登录后继续学习。" : error.message);
  }

  // --- heartbeats ----------------------------------------------------------------------
  function beat(resume) {
    if (showStatus() !== "running" || sending) return;
    sending = true;
    // On a poor network give up on a beat that hangs; the next one carries the time anyway.
    var controller = window.AbortController ? new AbortController() : null;
    var abortTimer = controller ? window.setTimeout(function () { controller.abort(); },
      Math.max(intervalMs, 10000)) : null;
    window.quizapp.fetchJSON(url, {
      method: "POST", body: { token: token, resume: resume === true },
      signal: controller ? controller.signal : undefined
    }).then(showCredit, function (error) {
      // 400: the page's CSRF token is stale; 401/403: logged out; 409: the token expired or
      // the material closed. Anything else (no network, a timeout, a busy server): quietly
      // try again at the next interval.
      if ([400, 401, 403, 404, 409].indexOf(error.status) !== -1) refuse(error);
    }).then(function () {
      sending = false;
      if (abortTimer) window.clearTimeout(abortTimer);
    });
  }

  // The last beat as the page is hidden or left: a beacon survives the page going away.
  function lastBeat() {
    if (stopped || beaconSent || !active()) return;
    beaconSent = true;
    var body = new URLSearchParams({ csrf_token: window.quizapp.csrfToken(), token: token });
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
    window.fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
      .catch(function () { /* the page is going away: nothing to tell */ });
  }

  document.addEventListener("visibilitychange", function () {
    if (visible()) {
      beaconSent = false;
      showStatus();
      beat(true);  // back on the page: restart the clock, the time away is not credited
    } else {
      lastBeat();
      showStatus();
    }
  });
  window.addEventListener("pagehide", lastBeat);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {  // back from the back/forward cache
      beaconSent = false;
      showStatus();
      beat(true);  // restart the clock: the time away is not credited
    }
  });

  var timer = window.setInterval(beat, intervalMs);
  beat(true);  // the opening beat starts the clock: later beats are credited from it
})();
