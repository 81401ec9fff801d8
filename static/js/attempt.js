// The attempt page: one question per screen, every answer saved as soon as it is chosen.
// Answers are kept in localStorage until the server acknowledges them, so a lost connection
// or a closed page loses nothing: they are sent again when the connection returns. So are
// the leavings of the page (切屏) of an exam that counts them.
// On the result page: tell the member of the answers kept here that the server never took.
(function () {
  "use strict";
  var late = document.getElementById("late-answers");
  if (late) return reportLateAnswers(late);
  var root = document.getElementById("attempt");
  if (!root) return;
  var Q = window.quizapp.question;
  var attemptId = root.getAttribute("data-attempt-id");
  var storageKey = "quizapp.attempt." + attemptId;
  var leavesKey = storageKey + ".leaves";
  // The start in this device's clock, from the server's count of time elapsed (phone clocks
  // can be minutes off): sequence numbers then agree across devices.
  var startedAt = Date.now() - parseInt(root.getAttribute("data-elapsed-ms"), 10);
  var deadline = Date.now() + parseInt(root.getAttribute("data-seconds-left"), 10) * 1000;
  var panes = Array.prototype.slice.call(root.querySelectorAll(".pane"));
  var stateBox = document.getElementById("save-state");
  var errorBox = document.getElementById("attempt-error");
  var current = 0;
  var submitting = false;
  var finished = false;
  var inFlight = {};
  var serverSeq = {};

  // --- local store: {qid: {response, seq, synced}} --------------------------------------
  function load() {
    try { return JSON.parse(window.localStorage.getItem(storageKey)) || {}; }
    catch (e) { return {}; }
  }
  var store = load();
  function persist() {
    try { window.localStorage.setItem(storageKey, JSON.stringify(store)); } catch (e) { /* full */ }
  }
  // Leavings the server has not counted yet: their sequence numbers, oldest first.
  var leaves = [];
  try { leaves = JSON.parse(window.localStorage.getItem(leavesKey)) || []; } catch (e) { /* none */ }
  var lastLeave = leaves.length ? leaves[leaves.length - 1] : 0;
  function persistLeaves() {
    try {
      if (leaves.length) window.localStorage.setItem(leavesKey, JSON.stringify(leaves));
      else window.localStorage.removeItem(leavesKey);
    } catch (e) { /* full */ }
  }

  // Sequence numbers grow with time since the start (tenths of a second), so the newest
  // answer wins across tabs and devices, and never repeat for a question on this device.
  function bySeqTime() { return Math.floor((Date.now() - startedAt) / 100) + 1; }
  function nextSeq(qid) {
    var last = Math.max(store[qid] ? store[qid].seq : 0, serverSeq[qid] || 0);
    return Math.max(bySeqTime(), last + 1);
  }

  function pending() {
    return Object.keys(store).filter(function (qid) { return !store[qid].synced; });
  }

  function showState() {
    var waiting = pending().length;
    if (!waiting) {
      stateBox.textContent = "全部答案已保存";
      stateBox.className = "save-state saved";
    } else if (!navigator.onLine) {
      stateBox.textContent = "网络已断开：" + waiting + " 题答案保存在本机，联网后自动上传";
      stateBox.className = "save-state offline";
    } else {
      stateBox.textContent = "正在保存 " + waiting + " 题…";
      stateBox.className = "save-state saving";
    }
    panes.forEach(function (pane) {
      var qid = pane.getAttribute("data-question-id");
      var mark = pane.querySelector("[data-state-for]");
      var entry = store[qid];
      var saved = entry ? entry.synced : serverSeq[qid] > 0;  // the server already holds it
      mark.textContent = entry || saved ? (saved ? "已保存" : "未保存") : "";
      mark.className = "pane-state " + (entry || saved ? (saved ? "saved" : "unsaved") : "");
    });
    var answered = 0;
    panes.forEach(function (pane, i) {
      var cell = root.querySelector('[data-go="' + i + '"]');
      var done = Q.isAnswered(Q.readResponse(pane.querySelector(".question")));
      if (done) answered += 1;
      cell.classList.toggle("answered", done);
      cell.classList.toggle("current", i === current);
    });
    document.getElementById("answered-count").textContent = answered;
  }

  // fromSaving: the message is about saving (logged out, a stale token): a save that
  // succeeds later shows the problem gone and takes it away.
  function showError(message, fromSaving) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    errorBox.dataset.fromSaving = fromSaving ? "1" : "";
  }

  // The attempt was submitted (by the member elsewhere, the deadline, the 切屏 limit): the
  // result page tells which answers kept here came too late.
  function closed(message) {
    finished = true;
    showError(message + " 正在打开成绩页…");
    window.setTimeout(function () {
      window.location.href = root.getAttribute("data-result-url");
    }, 1500);
  }

  // --- sending ---------------------------------------------------------------------------
  var retryTimer = null;
  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, 5000);
  }

  function send(qid) {
    var entry = store[qid];
    if (!entry || entry.synced) return Promise.resolve();
    if (inFlight[qid] && inFlight[qid].seq === entry.seq) return inFlight[qid].promise;
    var url = root.getAttribute("data-save-url").replace(/\/0$/, "/" + qid);
    var promise = window.quizapp.fetchJSON(url, {
      method: "PUT", body: { seq: entry.seq, response: entry.response }
    }).then(function (data) {
      // saved, or the server already holds a newer answer: either way nothing is pending.
      if (store[qid] && store[qid].seq <= Math.max(entry.seq, data.seq)) {
        store[qid].synced = true;
        persist();
      }
      if (errorBox.dataset.fromSaving) showError("");
    }, function (error) {
      if (error.code === "closed") {  // submitted, or past its deadline and submitted now
        closed(error.message);
      } else if (error.status === 401 || error.status === 403) {
        showError(error.message + " 答案已保存在本机，重新登录后回到本页即可上传。", true);
        scheduleRetry();
      } else if (error.code === "csrf") {
        // A stale CSRF token (logged in again elsewhere): keep the answer, ask for a refresh.
        showError(error.message + " 答案已保存在本机，刷新后会自动上传。", true);
      } else if (error.status === 400 || error.status === 404) {
        store[qid].synced = true;  // the server will never take it: don't resend forever
        persist();
        showError(error.message);
      } else {
        scheduleRetry();
      }
    }).then(function () {
      if (inFlight[qid] && inFlight[qid].promise === promise) delete inFlight[qid];
      showState();
    });
    inFlight[qid] = { seq: entry.seq, promise: promise };
    return promise;
  }

  // Leavings go in their place among the answers (both numbered by time): one that reaches
  // the 切屏 limit ends the attempt before the answers given after it, as it would online.
  function flush() {
    var first = leaves[0];
    function before(qid) { return store[qid].seq < first; }
    var sent = Promise.all((first ? pending().filter(before) : pending()).map(send));
    if (!first) return sent;
    return sent.then(function () {
      if (finished || pending().some(before)) return null;  // sent again on the retry
      return sendLeave().then(function (counted) { return counted ? flush() : null; });
    });
  }

  // Send the oldest leaving kept; resolves true once the server has counted it.
  var leaveInFlight = null;
  function sendLeave() {
    if (leaveInFlight) return leaveInFlight;
    var seq = leaves[0];
    function forget() {
      leaves = leaves.filter(function (kept) { return kept !== seq; });
      persistLeaves();
    }
    leaveInFlight = window.quizapp.fetchJSON(root.getAttribute("data-leave-url"), {
      method: "POST", body: { seq: seq }
    }).then(function (data) {
      forget();
      if (data.status !== "in_progress") {  // submitted at the limit, or 待阅卷
        finished = true;
        window.location.href = data.result_url;
        return false;
      }
      showError("您已离开答题页面 " + data.leave_count + " 次，" + (data.leave_limit
        ? "达到 " + data.leave_limit + " 次将自动交卷。" : "已记录。"));
      return true;
    }, function (error) {
      if (error.code === "closed") {
        forget();
        closed(error.message);
      } else if (error.status === 400 || error.status === 404) {
        forget();  // the server will never take it
      } else if (error.code !== "csrf") {
        scheduleRetry();  // offline, logged out: kept, and sent when that is over
      }  // a stale token: sent when the page is opened again
      return false;
    }).then(function (counted) {
      leaveInFlight = null;
      return counted;
    });
    return leaveInFlight;
  }

  function onChange(pane) {
    var qid = pane.getAttribute("data-question-id");
    var response = Q.readResponse(pane.querySelector(".question"));
    if (Array.isArray(response) && !response.length) response = [];
    store[qid] = { response: response, seq: nextSeq(qid), synced: false };
    persist();
    showState();
    send(qid);
  }

  // --- restoring: answers kept on this device that the server has not acknowledged ----
  panes.forEach(function (pane) {
    var qid = pane.getAttribute("data-question-id");
    serverSeq[qid] = parseInt(pane.getAttribute("data-seq"), 10) || 0;
    var entry = store[qid];
    if (entry && entry.seq > serverSeq[qid]) {
      Q.restoreResponse(pane.querySelector(".question"), entry.response);
      entry.synced = false;
    } else if (entry) {
      delete store[qid];
    }
    var timer = null;
    pane.addEventListener("change", function () {
      window.clearTimeout(timer);  // a pending save of typed text is this same change
      onChange(pane);
    });
    pane.addEventListener("input", function (event) {
      // Typing (a blank, any text input) is saved once it pauses; a tap saves on "change".
      if (event.target.type === "text" || event.target.tagName === "TEXTAREA") {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { onChange(pane); }, 800);
      }
    });
  });
  persist();

  // --- navigation -------------------------------------------------------------------------
  function go(index) {
    current = Math.max(0, Math.min(panes.length - 1, index));
    panes.forEach(function (pane, i) { pane.hidden = i !== current; });
    document.getElementById("prev").disabled = current === 0;
    document.getElementById("next").disabled = current === panes.length - 1;
    showState();
    window.scrollTo(0, 0);
  }
  document.getElementById("prev").addEventListener("click", function () { go(current - 1); });
  document.getElementById("next").addEventListener("click", function () { go(current + 1); });
  root.querySelectorAll("[data-go]").forEach(function (cell) {
    cell.addEventListener("click", function () {
      go(parseInt(cell.getAttribute("data-go"), 10));
      document.getElementById("navigator").open = false;
    });
  });

  // --- submitting -------------------------------------------------------------------------
  // auto: the countdown reached 0:00; the server then records the attempt as ended by time.
  function submit(auto) {
    if (submitting) return;
    submitting = true;
    showError("");
    flush().then(function () {
      if (pending().length && !auto) throw new Error("还有答案没有保存成功，请检查网络后再交卷。");
      return window.quizapp.fetchJSON(root.getAttribute("data-submit-url"), {
        method: "POST", body: { timed_out: !!auto }
      });
    }).then(function (data) {
      // The record stays for the result page: it tells of answers that came too late.
      finished = true;
      window.location.href = data.result_url || root.getAttribute("data-result-url");
    }, function (error) {
      submitting = false;
      showError(auto && (pending().length || leaves.length) ? TIME_UP_OFFLINE : error.message);
      var form = document.getElementById("submit-form");
      form.dataset.submitting = "";
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        if (button.dataset.label) button.textContent = button.dataset.label;
        button.removeAttribute("aria-busy");
      });
    });
  }
  document.getElementById("submit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    submit(false);
  });
  document.getElementById("submit-box").addEventListener("toggle", function () {
    var unanswered = panes.length - parseInt(document.getElementById("answered-count").textContent, 10);
    document.getElementById("submit-summary").textContent = unanswered
      ? "还有 " + unanswered + " 题未作答。交卷后不能再修改答案。"
      : "已全部作答。交卷后不能再修改答案。";
  });

  // --- countdown from the server's deadline ------------------------------------------------
  // Without a time limit the header shows the closing time ("截止 12月5日 18:00") and turns
  // into a countdown only in the last CLOSING_COUNTDOWN seconds.
  var CLOSING_COUNTDOWN = 300;
  // At 0:00 the server still takes answers for a short grace, then submits without them.
  var TIME_UP_OFFLINE = "时间已到：请立即联网，本机保存的答案需在交卷前上传。";
  var countdown = document.getElementById("countdown");
  var closing = countdown.hasAttribute("data-closing");
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    if (!closing || left <= CLOSING_COUNTDOWN) {
      countdown.textContent = (closing ? "还剩 " : "") + (h ? h + ":" : "") +
        (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    }
    countdown.classList.toggle("urgent", left <= 60);
    if (left === 0 && !finished && !checking) checkDeadline();
  }
  // At 0:00 ask the server for the deadline first: the organiser may have extended the
  // quiz's close since the page loaded (a paper the old close cut runs on). Unreachable or
  // still due: submit by time, as before.
  var checking = false;
  function checkDeadline() {
    checking = true;
    window.quizapp.fetchJSON(root.getAttribute("data-state-url")).then(function (data) {
      return data.status === "in_progress" && data.seconds_left > 5 ? data.seconds_left : 0;
    }, function () { return 0; }).then(function (seconds) {
      checking = false;
      if (seconds) {
        deadline = Date.now() + seconds * 1000;
        if (closing) countdown.textContent = "截止时间已调整";
        showError("测试结束时间已调整，请继续作答。");
        return;
      }
      window.clearInterval(clock);
      showError("答题时间到，正在交卷…");
      submit(true);
      if (!navigator.onLine && (pending().length || leaves.length)) showError(TIME_UP_OFFLINE);
    });
  }
  var clock = window.setInterval(tick, 1000);
  tick();

  // --- connection and page leaving -----------------------------------------------------
  window.addEventListener("online", function () {
    showState();
    if (Date.now() >= deadline && !finished) submit(true);  // 0:00 passed offline: it flushes
    else flush();
  });
  window.addEventListener("offline", showState);
  // 切屏: "record" counts each leaving; "submit" also submits at the limit (the server's).
  var leavePolicy = root.getAttribute("data-leave-policy");
  if (leavePolicy === "record" || leavePolicy === "submit") {
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "hidden" || finished) return;
      // Kept until counted: a leaving while offline is counted when the connection returns.
      lastLeave = Math.max(bySeqTime(), lastLeave + 1);
      leaves.push(lastLeave);
      persistLeaves();
      flush();
    });
  }
  window.addEventListener("beforeunload", function () { if (!finished) persist(); });

  go(0);
  flush();

  // The result page: answers kept on this device newer than the server's (``data-held``:
  // question id -> its sequence number) reached it after the submission, or never did.
  function reportLateAnswers(box) {
    var key = "quizapp.attempt." + box.getAttribute("data-attempt-id");
    var held = JSON.parse(box.getAttribute("data-held"));
    var kept = {};
    try { kept = JSON.parse(window.localStorage.getItem(key)) || {}; } catch (e) { /* none */ }
    var count = Object.keys(kept).filter(function (qid) {
      return !kept[qid].synced && kept[qid].seq > (held[qid] || 0);
    }).length;
    if (count) {
      box.textContent = "有 " + count + " 题答案保存在本机，未能在交卷前上传，未计分。";
      box.hidden = false;
    }
    try {
      window.localStorage.removeItem(key);
      window.localStorage.removeItem(key + ".leaves");
    } catch (e) { /* no storage */ }
  }
})();
