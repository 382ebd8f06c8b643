/* The phone form's helpers, all optional: the form works the same without them.
 * - The error summary takes the focus, and its links move the focus to their question.
 * - Answers are kept in this tab's sessionStorage (keyed by the page's address, which holds
 *   its token) so that a reload, the back button or a lost session gives nothing up; they
 *   are put back into empty fields and sent again with the page's signed response id, so a
 *   second try never makes a second response. The thanks page clears them. */
(function () {
  "use strict";
  var PREFIX = "hailong.form:";
  document.documentElement.classList.add("js");

  function store() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function pageValues(form) {
    var values = {};
    form.querySelectorAll(".q[data-code]").forEach(function (box) {
      var code = box.getAttribute("data-code");
      var chosen = [];
      box.querySelectorAll('[name="q_' + code + '"]').forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") {
          if (el.checked) chosen.push(el.value);
        } else if (el.value.trim() !== "") {
          chosen.push(el.value);
        }
      });
      var na = box.querySelector('[name="na_' + code + '"]');
      if (!chosen.length && na && na.checked) chosen.push("no_answer");
      if (chosen.length) {
        values[code] = box.getAttribute("data-type") === "multi_choice" ? chosen : chosen[0];
      } else {
        values[code] = null;  // cleared on purpose: forget what was kept
      }
    });
    return values;
  }

  function carriedOf(form) {
    try { return JSON.parse(form.elements.carried.value || "{}"); } catch (e) { return {}; }
  }

  function save(form, key) {
    var s = store();
    if (!s) return;
    var kept = {};
    try { kept = JSON.parse(s.getItem(key) || "{}").answers || {}; } catch (e) { kept = {}; }
    var answers = Object.assign(kept, carriedOf(form));
    var here = pageValues(form);
    Object.keys(here).forEach(function (code) {
      if (here[code] === null) delete answers[code]; else answers[code] = here[code];
    });
    try {
      s.setItem(key, JSON.stringify({ rid: form.elements.response_id.value, answers: answers }));
    } catch (e) { /* full or refused: the server still has the answers it was sent */ }
  }

  function fill(box, code, value) {
    var values = Array.isArray(value) ? value.map(String) : [String(value)];
    var inputs = box.querySelectorAll('[name="q_' + code + '"]');
    var answered = Array.prototype.some.call(inputs, function (el) {
      return (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value !== "";
    });
    var na = box.querySelector('[name="na_' + code + '"]');
    if (answered || (na && na.checked)) return;  // what the server shows wins
    if (na && values[0] === "no_answer") { na.checked = true; return; }
    inputs.forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (values.indexOf(el.value) >= 0) el.checked = true;
      } else {
        el.value = values[0];
      }
    });
  }

  function restore(form, key) {
    var s = store();
    if (!s) return;
    var kept;
    try { kept = JSON.parse(s.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.answers) return;
    var carried = carriedOf(form);
    var fresh = form.elements.section.value === "0" && !Object.keys(carried).length;
    Object.keys(kept.answers).forEach(function (code) {
      var box = form.querySelector('.q[data-code="' + code + '"]');
      if (box) fill(box, code, kept.answers[code]);
      else if (!(code in carried)) carried[code] = kept.answers[code];
    });
    form.elements.carried.value = JSON.stringify(carried);
    // A page opened afresh (reload, or a new visit) sends under the id of the first one.
    if (fresh && kept.rid) form.elements.response_id.value = kept.rid;
    form.dispatchEvent(new Event("change"));
  }

  function errorSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var box = field.closest(".q") || field;
      box.scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var s = store();
    if (document.body.hasAttribute("data-sent") && s) {
      for (var i = s.length - 1; i >= 0; i--) {
        var k = s.key(i);
        if (k && k.indexOf(PREFIX) === 0) s.removeItem(k);
      }
    }
    errorSummary();
    var form = document.querySelector("form[data-show-if-form]");
    if (!form || !form.elements.carried) return;
    var key = PREFIX + location.pathname;
    restore(form, key);
    save(form, key);
    form.addEventListener("change", function () { save(form, key); });
    form.addEventListener("input", function () { save(form, key); });
  });
})();
