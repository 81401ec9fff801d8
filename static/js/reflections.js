// Reflection pages.
// Form: count what the length rule counts (spaces and line breaks don't) as the member types,
// so they know how far they are from the minimum before submitting; and keep a draft on the
// phone (localStorage, keyed by member and subject, or by reflection when editing), so that
// a session that ends while writing (expiry, a logout elsewhere, a stale page) loses nothing:
// the form opened again after logging in brings the text back.
// Reflection page: the server saved the text, so the draft it came from is dropped.
(function () {
  "use strict";

  var PREFIX = "quizapp.reflection-draft.";

  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(PREFIX + key)); }
    catch (e) { return null; }
  }
  function forget(key) {
    try { window.localStorage.removeItem(PREFIX + key); } catch (e) { /* no storage */ }
  }
  // The text as the server keeps it (line endings normalised, the ends trimmed).
  function clean(text) {
    return (text || "").replace(/\r\n?/g, "\n").trim();
  }

  // --- the reflection page: drop drafts the server now holds ------------------------------
  var saved = document.querySelector("[data-draft-saved]");
  if (saved) {
    var title = document.querySelector("[data-saved-title]");
    var text = document.querySelector("[data-saved-body]");
    saved.getAttribute("data-draft-saved").split(" ").forEach(function (key) {
      var draft = read(key);
      if (draft && title && text && clean(draft.title) === title.textContent.trim() &&
          clean(draft.body) === text.textContent) {
        forget(key);
      }
    });
    return;
  }

  // --- the form ---------------------------------------------------------------------------
  var body = document.querySelector("textarea[data-min-chars]");
  var output = document.querySelector("[data-char-count]");
  if (!body || !output) return;
  var minimum = parseInt(body.getAttribute("data-min-chars"), 10) || 0;

  function update() {
    var counted = body.value.replace(/\s+/g, "").length;
    output.textContent = counted >= minimum
      ? "已写 " + counted + " 字（不计空格和换行）"
      : "已写 " + counted + " 字（不计空格和换行），还差 " + (minimum - counted) + " 字";
    output.classList.toggle("char-count-short", counted < minimum);
  }

  output.hidden = false;
  body.addEventListener("input", update);

  var form = body.form;
  var key = form && form.getAttribute("data-draft-key");
  var titleInput = form && form.querySelector('input[name="title"]');
  var state = document.querySelector("[data-draft-state]");
  if (!key || !titleInput || !state) { update(); return; }
  var version = form.getAttribute("data-draft-version") || "";

  function say(message) {
    state.textContent = message;
    state.hidden = false;
  }
  function keep() {
    try {
      if (!titleInput.value.trim() && !body.value.trim()) {
        window.localStorage.removeItem(PREFIX + key);
      } else {
        window.localStorage.setItem(PREFIX + key, JSON.stringify({
          title: titleInput.value, body: body.value, version: version, at: Date.now()
        }));
      }
      say("草稿已保存在本机，提交成功前不会丢失。");
    } catch (e) { /* no storage (private mode) or full: the form works as before */ }
  }

  // Opened afresh (not a form sent back with an error) on the version the draft was begun
  // on: bring the draft back when it differs from what the form shows.
  var draft = read(key);
  if (draft && form.hasAttribute("data-draft-restorable") && draft.version === version &&
      (draft.title !== titleInput.value || draft.body !== body.value)) {
    titleInput.value = draft.title || "";
    body.value = draft.body || "";
    say("已恢复本机保存的草稿（尚未提交），请检查后提交。");
  }
  titleInput.addEventListener("input", keep);
  body.addEventListener("input", keep);
  form.addEventListener("submit", keep);
  update();
})();
