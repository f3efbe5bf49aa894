(function () {
  "use strict";
  var block = document.getElementById("gs-data");
  if (!block) { return; }
  var data = JSON.parse(block.textContent);
  var S = data.s, L = data.l;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function pts(v) {
    if (v === null || v === undefined) { return ""; }
    var sign = v < 0 ? "-" : "", a = Math.abs(v);
    return sign + Math.floor(a / 100) + "." + ("0" + (a % 100)).slice(-2);
  }
  function cell(tag, cls, v) {
    // a value, or [text, note]: the note in grey on a line of its own
    if (!Array.isArray(v)) { return el(tag, cls, v); }
    var c = el(tag, cls, v[0]);
    if (v[1]) { c.appendChild(el("br")); c.appendChild(el("span", "note", v[1])); }
    return c;
  }
  function table(head, numeric, rows, rowClass) {
    var t = el("table"), tr = el("tr");
    head.forEach(function (h, i) { tr.appendChild(el("th", numeric.indexOf(i) >= 0 ? "n" : "", h)); });
    t.appendChild(tr);
    rows.forEach(function (r, k) {
      var row = el("tr", rowClass ? rowClass[k] : "");
      r.forEach(function (v, i) { row.appendChild(cell("td", numeric.indexOf(i) >= 0 ? "n" : "", v)); });
      t.appendChild(row);
    });
    return t;
  }
  function render(det) {
    if (det.getAttribute("data-done")) { return; }
    var u = data.u[+det.getAttribute("data-i")];
    var box = el("div", "body"), rows = [], classes = [], i;
    for (i = 0; i < data.cv.length; i++) {
      rows.push([S[data.cv[i][0]], (data.cv[i][1] ? L.deducted + " " : "") + pts(u[0][i])]);
    }
    box.appendChild(table([L.category, L.score], [1], rows));
    rows = [];
    for (i = 0; i < data.lv.length; i++) {
      var b = i * 7, lv = data.lv[i], f = u[1], state = f[b + 6];
      rows.push([S[lv[0]] + " " + S[lv[1]], S[lv[2]],
                 state === 2 ? L.na : (state === 3 ? L.deducted + " " : "") + pts(f[b]),
                 [pts(f[b + 1]), S[f[b + 2]]], f[b + 3] ? pts(f[b + 3]) : "", [S[f[b + 4]], S[f[b + 5]]]]);
      classes.push(state === 1 ? "vetoed" : state === 2 ? "na" : "");
    }
    box.appendChild(table([L.indicator, L.category, L.score, L.weight, L.lost, L.reason], [2, 3, 4], rows, classes));
    box.appendChild(el("h3", "", L.losses));
    rows = [];
    for (i = 0; i < u[2].length; i += 5) {
      rows.push([S[data.lv[u[2][i]][0]], S[u[2][i + 1]], S[u[2][i + 2]], pts(u[2][i + 3]), S[u[2][i + 4]]]);
    }
    box.appendChild(rows.length ? table([L.indicator, L.type, L.entry, L.lost, L.reason], [3], rows) : el("p", "muted", L.none));
    det.appendChild(box);
    det.setAttribute("data-done", "1");
  }
  var all = document.querySelectorAll("details[data-i]");
  Array.prototype.forEach.call(all, function (d) {
    d.addEventListener("toggle", function () { if (d.open) { render(d); } });
  });
  if (location.hash === "#all") {
    Array.prototype.forEach.call(all, function (d) { render(d); d.open = true; });
  } else if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.hasAttribute("data-i")) { render(target); target.open = true; }
  }
})();
