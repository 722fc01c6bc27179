"use strict";
// Plan result page: the cost-vs-quality scatter and the API-vs-self-host breakeven curves.
// Data comes from json_script blocks (CSP: no inline scripts); axes, $0 handling and number
// formats come from charts.js (window.AtlasCharts), loaded before this file.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Chart || !window.AtlasCharts) { return; }
  var A = window.AtlasCharts;
  A.applyTheme();
  var common = { maintainAspectRatio: false, animation: false };

  var pareto = A.data("pareto-data");
  var paretoCanvas = document.getElementById("pareto-chart");
  if (pareto && paretoCanvas) {
    var points = pareto.front.concat(pareto.others);
    var x = A.logAxis("USD per month", points.map(function (p) { return p.x; }), A.money);
    var place = function (p) { return Object.assign({}, p, { px: p.x, x: x.place(p.x) }); };
    paretoCanvas.chart = new Chart(paretoCanvas, {
      type: "scatter",
      data: { datasets: [
        { label: "Pareto front", data: pareto.front.map(place), showLine: true, borderColor: "#4338ca", backgroundColor: "#4338ca", pointRadius: 5 },
        { label: "Other ranked options", data: pareto.others.map(place), backgroundColor: "rgba(100,116,139,.55)", pointRadius: 4 }
      ] },
      options: Object.assign({}, common, {
        plugins: { legend: { position: "bottom" },
                   tooltip: { callbacks: { label: A.rawTooltip(function (p) { return A.moneyExact(p.px) + "/month, quality " + A.num(p.y); }) } } },
        scales: { x: x.scale, y: A.linearAxis("Quality (0–100)", points.map(function (p) { return p.y; }), A.num) } })
    });
  }

  var even = A.data("breakeven-data");
  var evenCanvas = document.getElementById("breakeven-chart");
  if (even && evenCanvas) {
    var alt = even.alt && even.alt.length ? even.alt : null;
    var y = A.logAxis("USD per month", even.api.concat(even.selfhost, alt || []), A.money);
    var series = function (values) {
      return values.map(function (v, i) { return { x: i, y: v === null ? null : y.place(v), v: v }; });
    };
    evenCanvas.chart = new Chart(evenCanvas, {
      type: "line",
      data: { labels: even.volumes, datasets: [
        { label: even.api_label, data: series(even.api), borderColor: "#0891b2", backgroundColor: "#0891b2", pointRadius: even.volumes.length === 1 ? 4 : 0 },
        { label: even.selfhost_label, data: series(even.selfhost), borderColor: "#d97706", backgroundColor: "#d97706", stepped: true, pointRadius: even.volumes.length === 1 ? 4 : 0 }
      ].concat(alt ? [{ label: even.alt_label, data: series(alt), borderColor: "#7c3aed", backgroundColor: "#7c3aed", borderDash: [6, 4], stepped: true, pointRadius: even.volumes.length === 1 ? 4 : 0 }] : []) },
      options: Object.assign({}, common, {
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" },
                   tooltip: { callbacks: { title: function (items) { return items.length ? A.num(even.volumes[items[0].dataIndex]) + " requests/month" : ""; },
                                           label: function (c) { return c.dataset.label + ": " + A.moneyExact(c.raw.v); } } } },
        scales: { x: { type: "category", title: { display: true, text: "Requests per month" },
                       ticks: { maxRotation: 0, autoSkipPadding: 12, maxTicksLimit: window.innerWidth < 640 ? 4 : 6,
                                callback: function (v, i) { return A.num(Number(even.volumes[i])); } } },
                  y: y.scale } })
    });
  }
});
