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
  var history = data("price-history-data");
  var historyCanvas = document.getElementById("price-history-chart");
  if (history && historyCanvas) {
    history.datasets.forEach(function (d, i) { d.borderColor = d.borderColor || palette[i % palette.length]; d.stepped = true; });
    historyCanvas.chart = new Chart(historyCanvas, {
      type: "line", data: history,
      options: { maintainAspectRatio: false, animation: false, parsing: { xAxisKey: "x", yAxisKey: "y" },
                 scales: { x: { type: "category" }, y: { title: { display: true, text: "USD per 1M tokens" } } } }
    });
  }
});
