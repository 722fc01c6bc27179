"use strict";
// Plan result page: the cost-vs-quality scatter and the API-vs-self-host breakeven curves.
// Data comes from json_script blocks (CSP: no inline scripts).
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Chart) { return; }
  var css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue("--muted").trim() || "#526075";
  Chart.defaults.borderColor = css.getPropertyValue("--line").trim() || "#e2e8f0";
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function usd(v) { return "$" + Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 }); }
  function label(ctx) { var p = ctx.raw; return p.label + ": " + usd(p.x) + "/month, quality " + p.y; }

  var pareto = data("pareto-data");
  var paretoCanvas = document.getElementById("pareto-chart");
  if (pareto && paretoCanvas) {
    paretoCanvas.chart = new Chart(paretoCanvas, {
      type: "scatter",
      data: { datasets: [
        { label: "Pareto front", data: pareto.front, showLine: true, borderColor: "#4338ca", backgroundColor: "#4338ca", pointRadius: 5 },
        { label: "Other ranked options", data: pareto.others, backgroundColor: "rgba(100,116,139,.55)", pointRadius: 4 }
      ] },
      options: { maintainAspectRatio: false, animation: false,
        plugins: { tooltip: { callbacks: { label: label } } },
        scales: { x: { type: "logarithmic", title: { display: true, text: "USD per month" } },
                  y: { title: { display: true, text: "Quality (0–100)" } } } }
    });
  }

  var even = data("breakeven-data");
  var evenCanvas = document.getElementById("breakeven-chart");
  if (even && evenCanvas) {
    evenCanvas.chart = new Chart(evenCanvas, {
      type: "line",
      data: { labels: even.volumes, datasets: [
        { label: even.api_label, data: even.api, borderColor: "#0891b2", pointRadius: 0 },
        { label: even.selfhost_label, data: even.selfhost, borderColor: "#d97706", stepped: true, pointRadius: 0 }
      ] },
      options: { maintainAspectRatio: false, animation: false,
        scales: { x: { title: { display: true, text: "Requests per month" },
                       ticks: { callback: function (v, i) { return Number(even.volumes[i]).toLocaleString(); }, maxTicksLimit: 6 } },
                  y: { type: "logarithmic", title: { display: true, text: "USD per month" } } } }
    });
  }
});
