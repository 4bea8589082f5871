// Earned value: draws a project's S-curve (planned value, earned value, actual cost and the
// forecast to completion) with Plotly, from the JSON data the page carries.
(function () {
  "use strict";

  function cssColour(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function line(name, x, y, colour, extra) {
    return Object.assign({
      type: "scatter",
      mode: "lines",
      name: name,
      x: x,
      y: y,
      line: { color: colour, width: 2.5 },
      hovertemplate: "%{x|%d %b %Y}: %{y:,.2f}<extra>" + name + "</extra>",
    }, extra || {});
  }

  function drawSCurve(element) {
    const source = document.getElementById(element.dataset.evmChart);
    if (!source || typeof Plotly === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    const font = getComputedStyle(document.body).fontFamily;
    const spent = data.dates.slice(0, data.actual_cost.length);
    const traces = [
      line(data.labels.planned_value, data.dates, data.planned_value, cssColour("--brand", "#1f4e79")),
      line(data.labels.earned_value, data.earned_value.dates, data.earned_value.values,
        cssColour("--green", "#1e8e5a"), { mode: "lines+markers" }),
      line(data.labels.actual_cost, spent, data.actual_cost, cssColour("--red", "#c8372d")),
    ];
    if (data.forecast.dates.length) {
      traces.push(line(data.labels.forecast, data.forecast.dates, data.forecast.values,
        cssColour("--red", "#c8372d"), { line: { color: cssColour("--red", "#c8372d"), width: 2, dash: "dash" } }));
    }
    const layout = {
      separators: data.separators || ".,",
      margin: { l: 60, r: 16, t: 16, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: font, size: 13, color: cssColour("--ink-soft", "#4a5867") },
      hoverlabel: { font: { family: font } },
      showlegend: true,
      legend: { orientation: "h", y: -0.15 },
      xaxis: { type: "date", automargin: true },
      yaxis: { rangemode: "tozero", tickformat: ",.0f", automargin: true,
        title: { text: data.currency }, gridcolor: cssColour("--line-soft", "#eef1f4") },
      shapes: [{
        type: "line", xref: "x", yref: "paper", x0: data.as_of, x1: data.as_of, y0: 0, y1: 1,
        line: { color: cssColour("--ink-faint", "#7b8794"), width: 1.5, dash: "dot" },
      }],
      annotations: [{
        x: data.as_of, xref: "x", y: 1, yref: "paper", text: data.labels.status_date,
        showarrow: false, xanchor: "left", yanchor: "top", font: { size: 12 },
      }],
    };
    Plotly.newPlot(element, traces, layout, { displaylogo: false, responsive: true });
  }

  function init() {
    document.querySelectorAll("[data-evm-chart]").forEach(drawSCurve);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
