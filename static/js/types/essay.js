// 简答 (essay): the text written (null while empty), with a counter of what is left.
(function () {
  "use strict";
  var Q = window.quizapp.question;
  function area(container) { return container.querySelector("textarea.essay-input"); }

  function count(container) {
    var input = area(container), counter = container.querySelector(".essay-count");
    if (!input || !counter) return;
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    counter.textContent = "已写 " + input.value.length + " 字，还可写 " +
      Math.max(0, limit - input.value.length) + " 字";
  }

  document.addEventListener("input", function (event) {
    var container = event.target.closest && event.target.closest('.question[data-type="essay"]');
    if (container) count(container);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('.question[data-type="essay"]').forEach(count);
  });

  Q.register("essay", {
    read: function (container) {
      var value = area(container).value;
      return value.trim() ? value : null;
    },
    restore: function (container, response) {
      area(container).value = response || "";
      count(container);
    },
    // Marked by a person, never by the page.
    mark: function (container) { area(container).disabled = true; },
    emptyMessage: "请先写下答案再提交。"
  });
})();
