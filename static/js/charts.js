"use strict";
// Charts of the site. Data comes from json_script blocks (CSP: no inline scripts).
// window.AtlasCharts holds the helpers every chart shares (planner.js uses them too):
//  - number and money tick labels ("80", "$0.075", "$1,500"), never "80.000";
//  - log axes that show $0: a zero value is drawn one decade below the lowest positive
//    one, on its own tick labelled "$0" (a symlog-like break), never clamped to the
//    axis minimum where it would read as a real price;
//  - one-point series and equal values get a padded range instead of a zero-width axis;
//  - only 1-2-5 ticks are labelled on log axes and x labels never rotate, so they do
//    not overlap on a phone; colours follow the theme and change with it.
(function () {
  var PALETTE = ["#4338ca", "#7c3aed", "#0891b2", "#059669", "#d97706", "#dc2626", "#64748b"];

  function cssVar(name, fallback) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  }
  function applyTheme() {
    Chart.defaults.color = cssVar("--muted", "#526075");
    Chart.defaults.borderColor = cssVar("--line", "#e2e8f0");
    Chart.defaults.font.size = window.innerWidth < 640 ? 11 : 12;
  }
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // ---- number formats --------------------------------------------------------------
  function num(v) {
    if (v === null || v === undefined || !isFinite(v)) { return ""; }
    if (Math.abs(v) >= 1000) { return Math.round(v).toLocaleString("en-US"); }
    return String(Number(Number(v).toPrecision(3)));
  }
  function money(v) {
    if (v === null || v === undefined || !isFinite(v)) { return ""; }
    if (v === 0) { return "$0"; }
    var a = Math.abs(v);
    if (a >= 1000) { return "$" + Math.round(v).toLocaleString("en-US"); }
    if (a >= 1) {
      return "$" + Number(v).toLocaleString("en-US", { minimumFractionDigits: v % 1 ? 2 : 0, maximumFractionDigits: 2 });
    }
    return "$" + String(Number(Number(v).toPrecision(2)));
  }
  function moneyExact(v) {  // tooltips: cents, or the significant digits of small prices
    if (v === 0) { return "$0"; }
    if (Math.abs(v) >= 1) { return "$" + Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }
    return "$" + String(Number(Number(v).toPrecision(3)));
  }
  function day(ms) { return new Date(ms).toISOString().slice(0, 10); }

  // ---- axes --------------------------------------------------------------------------
  // Labelled log ticks: 1-2-5 on a short axis, powers of ten on a long one (or a phone).
  function majorLogTicks(lo, hi) {
    var decades = Math.log10(hi / lo), narrow = window.innerWidth < 640;
    return decades <= (narrow ? 1.1 : 2.1) ? [1, 2, 5] : [1];
  }
  function isMajorLogTick(v, mantissas) {
    var mantissa = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
    return mantissas.some(function (m) { return Math.abs(mantissa - m) < 1e-6; });
  }
  // A log axis over `values` (numbers, maybe zeros or nulls). Returns {scale, place}: the
  // Chart.js scale options and place(v), the coordinate to plot v at (zeros -> the $0 slot).
  function logAxis(title, values, format) {
    var positive = values.filter(function (v) { return v > 0; });
    var hasZero = values.some(function (v) { return v === 0; });
    var min = positive.length ? Math.min.apply(null, positive) : 1;
    var max = positive.length ? Math.max.apply(null, positive) : 10;
    var lo = Math.pow(10, Math.floor(Math.log10(min)));
    var hi = Math.pow(10, Math.ceil(Math.log10(max)));
    if (min === max) { lo = min / 3.16; hi = max * 3.16; }  // one point or equal values: centred
    var zero = hasZero ? lo / 10 : null;
    var mantissas = majorLogTicks(lo, hi);
    return {
      zero: zero,
      place: function (v) { return v === 0 && zero !== null ? zero : v; },
      scale: {
        type: "logarithmic", min: zero !== null ? zero / 2 : lo, max: hi,  // /2: $0 points off the edge
        title: { display: true, text: title },
        grid: { color: function (ctx) { return ctx.tick && ctx.tick.label ? Chart.defaults.borderColor : "transparent"; } },
        afterBuildTicks: function (axis) {
          var ticks = axis.ticks.filter(function (t) { return t.value >= lo; });
          axis.ticks = zero !== null ? [{ value: zero }].concat(ticks) : ticks;
        },
        // autoSkip off: it would drop the $0 tick; the unlabelled ticks keep their grid lines.
        ticks: { maxRotation: 0, autoSkip: false,
                 callback: function (v) {
                   if (zero !== null && Math.abs(v - zero) < zero * 1e-6) { return format(0); }
                   return isMajorLogTick(v, mantissas) ? format(v) : "";
                 } }
      }
    };
  }
  function linearAxis(title, values, format, extra) {
    var finite = values.filter(function (v) { return v !== null && isFinite(v); });
    var scale = { type: "linear", title: { display: true, text: title },
                  ticks: { maxRotation: 0, autoSkipPadding: 10, callback: function (v) { return format(v); } } };
    if (finite.length && Math.min.apply(null, finite) === Math.max.apply(null, finite)) {
      var v = finite[0], pad = Math.abs(v) > 0 ? Math.abs(v) * 0.1 : 1;  // one point / a flat series
      scale.suggestedMin = v - pad; scale.suggestedMax = v + pad;
    }
    return Object.assign(scale, extra || {});
  }
  function rawTooltip(format) {  // tooltips show the plotted point's own value, not the $0 slot
    return function (c) {
      var p = c.raw || {};
      return (p.label ? p.label + ": " : "") + format(p);
    };
  }

  // A long legend (seven providers on a phone) can squeeze the plot to a sliver: grow the
  // chart's box until the plot area itself is at least `min` px tall.
  function ensurePlotHeight(chart, min) {
    var need = (min || (window.innerWidth < 640 ? 180 : 200)) - (chart.chartArea.bottom - chart.chartArea.top);
    var box = chart.canvas.parentNode;
    if (need > 1 && box) { box.style.height = Math.ceil(box.clientHeight + need) + "px"; }
    return chart;
  }
  if (window.Chart) {
    // Every chart on the site, once laid out the first time.
    Chart.register({ id: "atlasPlotHeight", afterRender: function (chart) {
      if (!chart.$atlasSized) { chart.$atlasSized = true; ensurePlotHeight(chart); }
    } });
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
  }

  var api = { PALETTE: PALETTE, data: data, num: num, money: money, moneyExact: moneyExact,
              day: day, logAxis: logAxis, linearAxis: linearAxis, rawTooltip: rawTooltip,
              applyTheme: applyTheme, ensurePlotHeight: ensurePlotHeight };
  window.AtlasCharts = api;

  document.addEventListener("atlas:themechange", function () {
    if (!window.Chart) { return; }
    applyTheme();
    Object.keys(Chart.instances).forEach(function (k) { Chart.instances[k].update("none"); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) { return; }
    applyTheme();
    var common = { maintainAspectRatio: false, animation: false };

    var dtype = data("dtype-data");
    var dtypeCanvas = document.getElementById("dtype-chart");
    if (dtype && dtypeCanvas) {
      dtypeCanvas.chart = new Chart(dtypeCanvas, {
        type: "doughnut",
        data: { labels: dtype.labels, datasets: [{ data: dtype.values, backgroundColor: PALETTE, borderColor: cssVar("--bg", "#fff"), borderWidth: 2 }] },
        options: Object.assign({}, common, { plugins: { legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (c) { return c.label + ": " + num(c.parsed / 1e9) + "B params"; } } } } })
      });
    }

    var history = data("price-history-data");
    var historyCanvas = document.getElementById("price-history-chart");
    if (history && historyCanvas) {
      var xs = [], ys = [];
      history.datasets.forEach(function (d, i) {
        var color = PALETTE[i % PALETTE.length];
        d.borderColor = d.borderColor || color; d.backgroundColor = color;
        d.stepped = true; d.pointRadius = d.data.length === 1 ? 4 : 2; d.borderWidth = 2;
        d.data.forEach(function (p) { xs.push(p.x); ys.push(p.y); });
      });
      var xMin = Math.min.apply(null, xs), xMax = Math.max.apply(null, xs);
      if (xMin === xMax) { xMin -= 15 * 864e5; xMax += 15 * 864e5; }  // one date: a month around it
      historyCanvas.chart = new Chart(historyCanvas, {
        type: "line", data: { datasets: history.datasets },
        options: Object.assign({}, common, { parsing: false,
          interaction: { mode: "nearest", intersect: false },
          plugins: { legend: { position: "bottom" },
                     tooltip: { callbacks: { title: function (items) { return items.length ? day(items[0].parsed.x) : ""; },
                                             label: function (c) { return c.dataset.label + ": " + moneyExact(c.parsed.y); } } } },
          scales: { x: { type: "linear", min: xMin, max: xMax,
                         ticks: { maxTicksLimit: window.innerWidth < 640 ? 3 : 6, maxRotation: 0, callback: function (v) { return day(v); } } },
                    y: linearAxis(history.y_label || "USD per 1M tokens", ys, money, { beginAtZero: true }) } })
      });
    }

    function scatter(canvas, datasets, x, y, tooltip) {
      canvas.chart = new Chart(canvas, {
        type: "scatter", data: { datasets: datasets },
        options: Object.assign({}, common, {
          plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { label: tooltip } } },
          scales: { x: x, y: y } })
      });
    }

    var pp = data("params-price-data");
    var ppCanvas = document.getElementById("params-price-chart");
    if (pp && ppCanvas) {
      var ppX = logAxis("Parameters (billions)", pp.points.map(function (p) { return p.x; }), num);
      var ppY = logAxis("Cheapest input, USD per 1M tokens", pp.points.map(function (p) { return p.y; }), money);
      var place = function (p) { return Object.assign({}, p, { px: p.x, py: p.y, x: ppX.place(p.x), y: ppY.place(p.y) }); };
      scatter(ppCanvas, [
        { label: "Open weights", data: pp.points.filter(function (p) { return p.open; }).map(place), backgroundColor: "#7c3aedaa", pointRadius: 4 },
        { label: "API only", data: pp.points.filter(function (p) { return !p.open; }).map(place), backgroundColor: "#0891b2aa", pointRadius: 4 }
      ], ppX.scale, ppY.scale, rawTooltip(function (p) { return num(p.px) + "B params, " + moneyExact(p.py) + " / 1M input"; }));
    }

    var qp = data("quality-price-data");
    var qpCanvas = document.getElementById("quality-price-chart");
    if (qp && qpCanvas) {
      var all = qp.front.concat(qp.points);
      var qpX = logAxis("Cheapest input, USD per 1M tokens", all.map(function (p) { return p.x; }), money);
      var qPlace = function (p) { return Object.assign({}, p, { px: p.x, x: qpX.place(p.x) }); };
      scatter(qpCanvas, [
        { label: "Pareto front", data: qp.front.map(qPlace), showLine: true, stepped: true, borderColor: "#dc2626",
          backgroundColor: "#dc2626", pointRadius: 5, borderWidth: 2 },
        { label: "Other models", data: qp.points.map(qPlace), backgroundColor: "#4338ca88", pointRadius: 4 }
      ], qpX.scale, linearAxis("Quality index (0-100)", all.map(function (p) { return p.y; }), num),
      rawTooltip(function (p) { return moneyExact(p.px) + " / 1M input, quality " + num(p.y); }));
    }
  });
})();
