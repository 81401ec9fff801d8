// The client registry of question types: each type's module (static/js/types/<code>.js,
// loaded after this file) registers how to read, restore and mark the inputs its template
// (templates/questions/types/<code>.html) draws. The pages' scripts ask here, never a type.
// Responses use the forms documented in quizapp/bank/types/.
(function () {
  "use strict";
  var types = {};

  function register(code, behaviour) { types[code] = behaviour; }

  function typeOf(container) {
    var code = container.getAttribute("data-type");
    if (!types[code]) throw new Error("question type not loaded: " + code);
    return types[code];
  }

  // What the member has given now (null: nothing).
  function readResponse(container) { return typeOf(container).read(container); }

  // Put a response kept on this device back into the inputs.
  function restoreResponse(container, response) {
    if (response === null || response === undefined) return;
    typeOf(container).restore(container, response);
  }

  function isAnswered(response) {
    if (response === null || response === undefined) return false;
    if (Array.isArray(response)) {
      return response.some(function (item) { return item !== "" && item !== null; });
    }
    return true;
  }

  // Lock the inputs and colour right and wrong (result: the practice API's answer).
  function mark(container, result) {
    typeOf(container).mark(container, result);
    container.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
  }

  // What to tell a member who submits without answering.
  function emptyMessage(container) {
    return typeOf(container).emptyMessage || "请先选择答案再提交。";
  }

  // The behaviour of a type whose inputs are options (radios or checkboxes): value(input)
  // gives an option's value in the response's form; many: the response lists the chosen.
  function optionBehaviour(value, many) {
    function inputs(container) {
      return Array.prototype.slice.call(container.querySelectorAll("input"));
    }
    function chosen(container) {
      return inputs(container).filter(function (input) { return input.checked; }).map(value);
    }
    function has(list, v) { return Array.isArray(list) ? list.indexOf(v) !== -1 : list === v; }
    return {
      read: function (container) {
        var values = chosen(container);
        return many ? values : (values.length ? values[0] : null);
      },
      restore: function (container, response) {
        inputs(container).forEach(function (input) { input.checked = has(response, value(input)); });
      },
      // Right options green, a wrong one chosen red.
      mark: function (container, result) {
        container.querySelectorAll(".option").forEach(function (label) {
          var input = label.querySelector("input");
          if (has(result.right, value(input))) label.classList.add("is-right");
          else if (input.checked) label.classList.add("is-wrong");
        });
      }
    };
  }

  window.quizapp = window.quizapp || {};
  window.quizapp.question = {
    register: register, readResponse: readResponse, restoreResponse: restoreResponse,
    isAnswered: isAnswered, mark: mark, emptyMessage: emptyMessage,
    optionBehaviour: optionBehaviour
  };
})();
