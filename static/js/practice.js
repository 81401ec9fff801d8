// Practice, daily questions and the wrong-answer book: send one answer, show the feedback.
// Each form.practice-item posts {response} to its data-url (see quizapp/practice/routes.py).
// A failed request keeps the chosen answer on screen so the member can simply retry.
(function () {
  "use strict";
  var Q = window.quizapp.question;

  // Lock the inputs and colour the answer right and wrong (the type's module knows how).
  function mark(form, result) {
    Q.mark(form.querySelector(".question"), result);
  }

  function showError(form, message, reload) {
    var box = form.querySelector(".practice-error");
    box.textContent = message;
    if (reload) {
      var link = document.createElement("a");
      link.href = window.location.href;
      link.textContent = "刷新页面";
      box.appendChild(document.createTextNode(" "));
      box.appendChild(link);
    }
    box.hidden = false;
  }

  function answer(form) {
    if (form.dataset.busy === "1" || form.dataset.done === "1") return;
    var container = form.querySelector(".question");
    var response = Q.readResponse(container);
    if (!Q.isAnswered(response)) {
      showError(form, Q.emptyMessage(container));
      return;
    }
    var button = form.querySelector('button[type="submit"]');
    form.dataset.busy = "1";
    form.querySelector(".practice-error").hidden = true;
    button.disabled = true;
    button.textContent = "提交中…";
    window.quizapp.fetchJSON(form.getAttribute("data-url"), {
      method: "POST", body: { response: response }
    }).then(function (data) {
      form.dataset.done = "1";
      var feedback = form.querySelector(".practice-feedback");
      feedback.innerHTML = data.feedback_html;
      mark(form, data);
      button.parentNode.removeChild(button);
      var next = form.querySelector("[data-next]");
      if (next) {
        next.textContent = "下一题";
        next.classList.remove("button-light");
      }
      if (data.daily) {
        var summary = document.getElementById("daily-summary");
        if (summary) summary.outerHTML = data.daily.summary_html;
      }
      var box = feedback.firstElementChild;
      if (box) {
        box.focus({ preventScroll: true });
        box.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    }, function (error) {
      button.disabled = false;
      button.textContent = "重新提交";
      if (!error.status) {
        showError(form, error.message + "您选择的答案仍保留在页面上，可再次点击“重新提交”。");
      } else {
        showError(form, error.message, error.status === 409 || error.status === 404);
      }
    }).then(function () {
      form.dataset.busy = "";
    });
  }

  // Forms answer; any item (a form, or a reviewed question) with data-result was graded
  // earlier: show it as it was graded.
  document.querySelectorAll(".practice-item").forEach(function (form) {
    if (form.hasAttribute("data-result")) {
      form.dataset.done = "1";
      mark(form, JSON.parse(form.getAttribute("data-result")));
      return;
    }
    if (form.tagName !== "FORM") return;
    // The button stays disabled until this script runs, so an early tap can't reload the page.
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      answer(form);
    });
  });
})();
