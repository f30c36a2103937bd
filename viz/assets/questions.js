// Shared by both renderers' page scripts (prepended to each): what a click or a
// filter lights up. The answers are embedded data; this only looks them up.
function gkQuestions(q, light, answer) {
  "use strict";
  function ask(id) {
    // A product (or client) lights its supply closure; any other node what its failure takes down.
    if (id !== undefined && q.closure[id]) {
      light([id].concat(q.closure[id]));
      answer.textContent = q.closureText[id] || "";
    } else if (id !== undefined && q.impact[id]) {
      light([id].concat(q.impact[id]));
      answer.textContent = q.impactText[id] || "";
    } else {
      light(id === undefined ? null : [id]);
      answer.textContent = id === undefined ? "" : (q.impactText[id] || "");
    }
  }
  var filters = Array.prototype.slice.call(document.querySelectorAll("select.gk-filter"));
  function filterChanged() {
    var chosen = null;
    filters.forEach(function (f) {
      if (f.value === "") { return; }
      var members = q.filters[f.getAttribute("data-filter")][+f.value], next = Object.create(null);
      members.forEach(function (id) { if (!chosen || chosen[id]) { next[id] = true; } });
      chosen = next;
    });
    light(chosen ? Object.keys(chosen) : null);
  }
  filters.forEach(function (f) { f.addEventListener("change", function () { answer.textContent = ""; filterChanged(); }); });
  return {ask: ask, filterChanged: filterChanged};
}
