// 判断 (truefalse): true (对), false (错), or null.
window.quizapp.question.register("truefalse", window.quizapp.question.optionBehaviour(
  function (input) { return input.value === "true"; }, false));
