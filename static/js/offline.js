// Offline session form: tick all / none on the branch roster, count the ticked, and make the
// keyboard's Enter search in the search box instead of submitting the whole form.
(function () {
  "use strict";

  var form = document.querySelector("[data-offline-form]");
  if (!form) return;

  var roster = form.querySelector("[data-roster]");
  var tools = form.querySelector("[data-roster-tools]");
  var count = form.querySelector("[data-attendee-count]");

  function boxes(scope) {
    return Array.prototype.slice.call(
      (scope || form).querySelectorAll('input[type="checkbox"][name="member_ids"]'));
  }

  function updateCount() {
    if (!count) return;
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    count.textContent = "已选 " + ticked + " 人";
  }

  if (roster && tools) {
    tools.hidden = false;
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("[data-check]");
      if (!button) return;
      var value = button.getAttribute("data-check") === "all";
      boxes(roster).forEach(function (box) { box.checked = value; });
      updateCount();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "member_ids") updateCount();
  });

  // Choosing another branch shows its roster at once (the button does it without scripts).
  var branch = form.querySelector("[data-roster-branch]");
  var reload = form.querySelector("[data-roster-reload]");
  if (branch && reload) {
    branch.addEventListener("change", function () { reload.click(); });
  }

  // Enter in the search box searches; Enter in the other one-line inputs does nothing, so a
  // half-filled form is never saved by the keyboard's Go key.
  var searchInput = form.querySelector("[data-search-input]");
  var searchButton = form.querySelector("[data-search-button]");
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    if (event.target.type === "checkbox" || event.target.type === "radio") return;
    event.preventDefault();
    if (event.target === searchInput && searchButton) searchButton.click();
  });
})();
