// quizapp: small helpers shared by every page. No dependencies, served by the app itself.
(function () {
  "use strict";

  // The CSRF token every POST/PUT/DELETE from a script must send as X-CSRFToken.
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // fetch() with the CSRF header and JSON in and out. Rejects with an Error whose message is
  // the server's Chinese text (only ever shown), status the HTTP status and code the API's
  // machine-readable error (docs/api.md: "csrf", "closed", "login_required"…); scripts
  // decide by status and code. A network failure has neither.
  function fetchJSON(url, options) {
    options = options || {};
    var headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": csrfToken() },
      options.headers || {});
    if (options.body && typeof options.body !== "string") {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.body);
    }
    options.headers = headers;
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || "请求失败（" + response.status + "），请稍后重试。");
          error.status = response.status;
          error.code = data.error || "";
          throw error;
        }
        return data;
      });
    }, function () {
      throw new Error("网络连接失败，请检查网络后重试。");
    });
  }

  // Forms marked data-once submit once: a double tap on a slow network sends one request.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) return;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    var buttons = form.querySelectorAll('button[type="submit"]');
    buttons.forEach(function (button) {
      button.dataset.label = button.textContent;
      button.textContent = "提交中…";
      button.setAttribute("aria-busy", "true");
    });
    // If the page is shown again from the back/forward cache, allow a new submit.
    window.addEventListener("pageshow", function () {
      form.dataset.submitting = "";
      buttons.forEach(function (button) {
        if (button.dataset.label) button.textContent = button.dataset.label;
        button.removeAttribute("aria-busy");
      });
    }, { once: true });
  });

  // Forms marked data-auto-submit send themselves once the page has loaded: a change a page
  // needs (submitting an attempt whose time ran out) is a POST of its own, since GETs only
  // read. Without JavaScript the form's button does it.
  document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  window.quizapp = { csrfToken: csrfToken, fetchJSON: fetchJSON };
})();
