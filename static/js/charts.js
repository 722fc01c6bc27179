"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Chart) { return; }
  var css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue("--muted").trim() || "#526075";
  Chart.defaults.borderColor = css.getPropertyValue("--line").trim() || "#e2e8f0";
  var palette = ["#4338ca", "#7c3aed", "#0891b2", "#059669", "#d97706", "#dc2626", "#64748b"];
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var dtype = data("dtype-data");
  var dtypeCanvas = document.getElementById("dtype-chart");
  if (dtype && dtypeCanvas) {
    dtypeCanvas.chart = new Chart(dtypeCanvas, {
      type: "doughnut",
      data: { labels: dtype.labels, datasets: [{ data: dtype.values, backgroundColor: palette, borderColor: css.getPropertyValue("--bg").trim(), borderWidth: 2 }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } }
    });
  }
  function day(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function money(v) { return "$" + (v >= 1 ? v.toFixed(2) : String(Number(v.toPrecision(3)))); }
  var history = data("price-history-data");
  var historyCanvas = document.getElementById("price-history-chart");
  if (history && historyCanvas) {
    history.datasets.forEach(function (d, i) {
      var color = palette[i % palette.length];
      d.borderColor = d.borderColor || color; d.backgroundColor = color;
      d.stepped = true; d.pointRadius = 2; d.borderWidth = 2;
    });
    var xs = [];
    history.datasets.forEach(function (d) { d.data.forEach(function (p) { xs.push(p.x); }); });
    historyCanvas.chart = new Chart(historyCanvas, {
      type: "line", data: { datasets: history.datasets },
      options: { maintainAspectRatio: false, animation: false, parsing: false,
                 interaction: { mode: "nearest", intersect: false },
                 plugins: { legend: { position: "bottom" },
                            tooltip: { callbacks: { title: function (items) { return items.length ? day(items[0].parsed.x) : ""; },
                                                    label: function (c) { return c.dataset.label + ": " + money(c.parsed.y); } } } },
                 scales: { x: { type: "linear", min: Math.min.apply(null, xs), max: Math.max.apply(null, xs), ticks: { maxTicksLimit: 6, callback: function (v) { return day(v); } } },
                           y: { beginAtZero: true, title: { display: true, text: history.y_label || "USD per 1M tokens" },
                                ticks: { callback: function (v) { return money(v); } } } } }
    });
  }
  function scatter(canvas, datasets, xTitle, yTitle, xLog, yLog) {
    canvas.chart = new Chart(canvas, {
      type: "scatter", data: { datasets: datasets },
      options: { maintainAspectRatio: false, animation: false,
                 plugins: { legend: { position: "bottom" },
                            tooltip: { callbacks: { label: function (c) { var p = c.raw; return (p.label || "") + " (" + c.formattedValue + ")"; } } } },
                 scales: { x: { type: xLog ? "logarithmic" : "linear", title: { display: true, text: xTitle } },
                           y: { type: yLog ? "logarithmic" : "linear", title: { display: true, text: yTitle } } } }
    });
  }
  var pp = data("params-price-data");
  var ppCanvas = document.getElementById("params-price-chart");
  if (pp && ppCanvas) {
    scatter(ppCanvas, [
      { label: "Open weights", data: pp.points.filter(function (p) { return p.open; }), backgroundColor: "#7c3aedaa", pointRadius: 4 },
      { label: "API only", data: pp.points.filter(function (p) { return !p.open; }), backgroundColor: "#0891b2aa", pointRadius: 4 }
    ], "Parameters (billions)", "Cheapest input, USD per 1M tokens", true, true);
  }
  var qp = data("quality-price-data");
  var qpCanvas = document.getElementById("quality-price-chart");
  if (qp && qpCanvas) {
    scatter(qpCanvas, [
      { label: "Pareto front", data: qp.front, showLine: true, stepped: true, borderColor: "#dc2626",
        backgroundColor: "#dc2626", pointRadius: 5, borderWidth: 2 },
      { label: "Other models", data: qp.points, backgroundColor: "#4338ca88", pointRadius: 4 }
    ], "Cheapest input, USD per 1M tokens", "Quality index (0-100)", true, false);
  }
});
