// The designer without page reloads where it helps. Every form also works without this file.
(function () {
  "use strict";

  // Move and delete buttons of the outline: post in the background and swap the outline in.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-fragment")) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    var outline = document.querySelector("[data-outline]");
    if (!outline || !window.fetch) return;
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "X-Fragment": "1" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) { outline.innerHTML = html; })
      .catch(function () { form.submit(); });  // fall back to the ordinary round trip
  });

  function showForType(form) {
    var select = form.querySelector("[data-type-select]");
    if (!select) return;
    form.querySelectorAll("[data-for-types]").forEach(function (box) {
      box.hidden = box.getAttribute("data-for-types").split(" ").indexOf(select.value) < 0;
    });
  }

  function targetInfo(form, code) {
    var found = null;
    form.querySelectorAll("[data-values] li").forEach(function (li) {
      if (li.getAttribute("data-code") === code) found = li;
    });
    return found;
  }

  // The value box suggests the target's values; the operator menu offers only what applies.
  function updateRow(form, row) {
    var item = row.querySelector("[data-cond-item]");
    var op = row.querySelector("[data-cond-op]");
    var value = row.querySelector("[data-cond-value]");
    var info = targetInfo(form, item.value);
    var list = document.getElementById(value.getAttribute("list"));
    if (list) {
      list.textContent = "";
      var values = info ? info.getAttribute("data-values").split(" ") : [];
      values.filter(Boolean).forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        list.appendChild(option);
      });
    }
    var ops = info ? info.getAttribute("data-ops").split(" ") : null;
    Array.prototype.forEach.call(op.options, function (option) {
      option.disabled = Boolean(option.value && ops && ops.indexOf(option.value) < 0);
    });
    value.hidden = op.value === "answered";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-item-form]");
    if (!form) return;
    showForType(form);
    form.querySelectorAll("[data-cond-row]").forEach(function (row) { updateRow(form, row); });
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-type-select]")) showForType(form);
      var row = event.target.closest("[data-cond-row]");
      if (row) updateRow(form, row);
    });
  });
})();
