// 多选 (multiple): the chosen options' indexes ([]: none).
window.quizapp.question.register("multiple", window.quizapp.question.optionBehaviour(
  function (input) { return parseInt(input.value, 10); }, true));
