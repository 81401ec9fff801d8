// Read and restore a member's response to one question rendered by templates/bank/_question.html.
// Responses use the forms documented in quizapp/bank/types.py.
(function () {
  "use strict";

  function readResponse(container) {
    var type = container.getAttribute("data-type");
    if (type === "fill") {
      return Array.prototype.map.call(container.querySelectorAll("input.blank"), function (input) {
        return input.value;
      });
    }
    var checked = Array.prototype.filter.call(container.querySelectorAll("input"), function (input) {
      return input.checked;
    });
    if (type === "multiple") {
      return checked.map(function (input) { return parseInt(input.value, 10); });
    }
    if (!checked.length) return null;
    if (type === "truefalse") return checked[0].value === "true";
    return parseInt(checked[0].value, 10);
  }

  function restoreResponse(container, response) {
    var type = container.getAttribute("data-type");
    if (response === null || response === undefined) return;
    if (type === "fill") {
      container.querySelectorAll("input.blank").forEach(function (input, i) {
        input.value = response[i] || "";
      });
      return;
    }
    container.querySelectorAll("input").forEach(function (input) {
      if (type === "multiple") input.checked = response.indexOf(parseInt(input.value, 10)) !== -1;
      else if (type === "truefalse") input.checked = (input.value === "true") === response;
      else input.checked = parseInt(input.value, 10) === response;
    });
  }

  function isAnswered(response) {
    if (response === null || response === undefined) return false;
    if (Array.isArray(response)) {
      return response.some(function (item) { return item !== "" && item !== null; });
    }
    return true;
  }

  window.quizapp = window.quizapp || {};
  window.quizapp.question = {
    readResponse: readResponse, restoreResponse: restoreResponse, isAnswered: isAnswered
  };
})();
