/* show_if in the browser: the same rules as questionnaires/conditions.py, on a form's values.
 * Progressive enhancement only: the server decides again what is visible and drops the rest.
 * A comparison on an unanswered, hidden or "no answer" item is false, as on the server. */
(function () {
  "use strict";
  var MISSING_WORDS = ["no_answer", "not_applicable", "dont_know", "refused"];

  function realValues(values, type) {
    var out = values.filter(function (v) {
      if (MISSING_WORDS.indexOf(v) >= 0) return false;
      // 97/98/99 are missing codes except where they are ordinary numbers
      return type === "number" || ["97", "98", "99"].indexOf(v) < 0;
    });
    return out.length ? out : null;
  }

  function valuesOf(form, code, carried) {
    var box = form.querySelector('.q[data-code="' + code + '"]');
    if (!box) {
      var v = carried[code];
      if (v === undefined || v === null || v === "") return null;
      return realValues(Array.isArray(v) ? v.map(String) : String(v).split(/\s+/), "");
    }
    if (box.hidden) return null;
    var values = [];
    box.querySelectorAll('[name="q_' + code + '"]').forEach(function (el) {
      if (el.disabled) return;
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) values.push(el.value);
      } else if (el.value.trim() !== "") {
        values.push(el.value.trim());
      }
    });
    return realValues(values, box.getAttribute("data-type"));
  }

  function has(values, wanted) {
    return values.indexOf(String(wanted)) >= 0;
  }

  function evaluate(cond, get) {
    if (cond.all) return cond.all.every(function (c) { return evaluate(c, get); });
    if (cond.any) return cond.any.some(function (c) { return evaluate(c, get); });
    var values = get(cond.item);
    if ("answered" in cond) return (values !== null) === cond.answered;
    if (values === null) return false;
    if ("equals" in cond) return has(values, cond.equals);
    if ("not_equals" in cond) return !has(values, cond.not_equals);
    if ("in" in cond) return cond["in"].some(function (v) { return has(values, v); });
    if ("not_in" in cond) return !cond.not_in.some(function (v) { return has(values, v); });
    var n = Number(values[0]);
    if (values.length !== 1 || isNaN(n)) return false;
    if ("less" in cond) return n < cond.less;
    if ("greater" in cond) return n > cond.greater;
    return false;
  }

  /* Show or hide every conditional item in document order (conditions only name earlier
   * items), disabling hidden inputs so that they are not sent. */
  function apply(form, carried) {
    form.querySelectorAll(".q[data-show-if]").forEach(function (box) {
      var cond = JSON.parse(box.getAttribute("data-show-if"));
      var show = evaluate(cond, function (code) { return valuesOf(form, code, carried || {}); });
      box.hidden = !show;
      box.querySelectorAll("input, textarea, select").forEach(function (el) {
        el.disabled = !show;
      });
    });
  }

  window.ShowIf = { apply: apply, evaluate: evaluate };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-show-if-form]");
    if (!form) return;
    var carried = {};
    try { carried = JSON.parse(form.elements.carried.value || "{}"); } catch (e) { carried = {}; }
    var run = function () { apply(form, carried); };
    form.addEventListener("change", run);
    form.addEventListener("input", run);
    run();
  });
})();
