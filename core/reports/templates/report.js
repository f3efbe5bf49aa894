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
  function table(head, rows, numeric) {
    var t = el("table"), tr = el("tr");
    head.forEach(function (h, i) { tr.appendChild(el("th", numeric.indexOf(i) >= 0 ? "n" : "", h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (v, i) { row.appendChild(el("td", numeric.indexOf(i) >= 0 ? "n" : "", S[v])); });
      t.appendChild(row);
    });
    return t;
  }
  function render(det) {
    if (det.getAttribute("data-done")) { return; }
    var u = data.u[+det.getAttribute("data-i")];
    var box = el("div", "body");
    box.appendChild(table([L.category, L.score, L.weight], u[0], [1, 2]));
    box.appendChild(table([L.indicator, L.score, L.weight, L.lost, L.reason], u[1], [1, 2, 3]));
    box.appendChild(el("h3", "", L.losses));
    if (u[2].length) {
      box.appendChild(table([L.indicator, L.type, L.entry, L.lost, L.reason], u[2], [3]));
    } else {
      box.appendChild(el("p", "muted", L.none));
    }
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
