// Reflection form: count what the length rule counts (spaces and line breaks don't) as the
// member types, so they know how far they are from the minimum before submitting.
(function () {
  "use strict";

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
  update();
})();
