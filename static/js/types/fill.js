// 填空 (fill): the text of each blank, in order.
(function () {
  "use strict";
  var Q = window.quizapp.question;
  function blanks(container) {
    return Array.prototype.slice.call(container.querySelectorAll("input.blank"));
  }

  Q.register("fill", {
    read: function (container) {
      return blanks(container).map(function (input) { return input.value; });
    },
    restore: function (container, response) {
      blanks(container).forEach(function (input, i) { input.value = response[i] || ""; });
    },
    // result.blanks: per blank, whether it was right.
    mark: function (container, result) {
      if (!result.blanks) return;
      blanks(container).forEach(function (input, i) {
        input.classList.add(result.blanks[i] ? "is-right" : "is-wrong");
      });
    },
    emptyMessage: "请先填写答案再提交。"
  });
})();
