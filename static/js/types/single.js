// 单选 (single): the chosen option's index, or null.
window.quizapp.question.register("single", window.quizapp.question.optionBehaviour(
  function (input) { return parseInt(input.value, 10); }, false));
