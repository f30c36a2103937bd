
(function () {
  "use strict";
  function key(row, col, num) {
    var cell = row.cells[col];
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (num) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLocaleLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.gk-sortable"), function (table) {
    var heads = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (r, i) { r.setAttribute("data-i", String(i)); });
    Array.prototype.forEach.call(heads, function (th, col) {
      th.querySelector("button").addEventListener("click", function () {
        var num = th.getAttribute("data-type") === "num";
        var current = th.getAttribute("aria-sort");
        var asc = current ? current === "descending" : !num;
        var rows = Array.prototype.slice.call(body.rows);
        var keys = new Map(rows.map(function (r) { return [r, key(r, col, num)]; }));
        rows.sort(function (a, b) {
          var x = keys.get(a), y = keys.get(b);
          var c = num ? (x < y ? -1 : x > y ? 1 : 0) : String(x).localeCompare(String(y));
          if (!asc) { c = -c; }
          return c || (+a.getAttribute("data-i") - +b.getAttribute("data-i"));
        });
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var fragment = document.createDocumentFragment();
        rows.forEach(function (r) { fragment.appendChild(r); });
        body.appendChild(fragment);
      });
    });
  });
  document.documentElement.setAttribute("data-gk-report", "ready");
})();
