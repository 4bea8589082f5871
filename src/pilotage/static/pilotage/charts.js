// Dashboard charts: draws the [data-chart] elements with Plotly from the page's JSON data.
(function () {
  "use strict";

  function cssColour(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function baseLayout(data) {
    return {
      separators: data.separators || ".,",
      margin: { l: 40, r: 16, t: 8, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: getComputedStyle(document.body).fontFamily, size: 13, color: cssColour("--ink-soft", "#4a5867") },
      hoverlabel: { font: { family: getComputedStyle(document.body).fontFamily } },
      showlegend: false,
    };
  }

  function hasValues(series) {
    return Boolean(series && series.values && series.values.some((v) => v > 0));
  }

  function phaseChart(data) {
    const series = data.phase;
    const layout = baseLayout(data);
    layout.yaxis = { rangemode: "tozero", tickformat: ",d", gridcolor: cssColour("--line-soft", "#eef1f4"), fixedrange: true, automargin: true };
    layout.xaxis = { fixedrange: true, automargin: true };
    layout.bargap = 0.35;
    return {
      traces: [{
        type: "bar",
        x: series.labels,
        y: series.values,
        marker: { color: cssColour("--brand", "#1f4e79") },
        hovertemplate: "%{x}: %{y:,d} " + data.labels.projects + "<extra></extra>",
        text: series.values.map((v) => (v ? v : "")),
        textposition: "outside",
        cliponaxis: false,
      }],
      layout: layout,
      links: series.links,
    };
  }

  function healthChart(data) {
    const series = data.health;
    const colours = {
      green: cssColour("--green", "#1e8e5a"),
      amber: cssColour("--amber", "#c77c02"),
      red: cssColour("--red", "#c8372d"),
    };
    const layout = baseLayout(data);
    layout.margin = { l: 8, r: 8, t: 8, b: 8 };
    layout.showlegend = true;
    layout.legend = { orientation: "h", x: 0.5, xanchor: "center", y: -0.05 };
    layout.annotations = [{
      text: "<b>" + data.total + "</b><br>" + data.labels.projects,
      showarrow: false, font: { size: 15, color: cssColour("--ink", "#17212b") },
    }];
    return {
      traces: [{
        type: "pie",
        hole: 0.58,
        sort: false,
        direction: "clockwise",
        labels: series.labels,
        values: series.values,
        marker: { colors: series.keys.map((k) => colours[k]), line: { color: "#fff", width: 2 } },
        textinfo: "value",
        textfont: { color: "#fff", size: 14 },
        hovertemplate: "%{label}: %{value:,d} (%{percent})<extra></extra>",
      }],
      layout: layout,
      links: series.links,
    };
  }

  function programmeChart(data) {
    const series = data.programme;
    const layout = baseLayout(data);
    layout.margin = { l: 12, r: 24, t: 4, b: 32 };
    layout.xaxis = { rangemode: "tozero", tickformat: ",d", gridcolor: cssColour("--line-soft", "#eef1f4"), fixedrange: true };
    layout.yaxis = { autorange: "reversed", automargin: true, fixedrange: true };
    layout.height = Math.max(220, 34 * series.labels.length + 50);
    layout.bargap = 0.3;
    return {
      traces: [{
        type: "bar",
        orientation: "h",
        x: series.values,
        y: series.labels,
        marker: { color: cssColour("--accent", "#2c7be5") },
        hovertemplate: "%{y}: %{x:,d} " + data.labels.projects + "<extra></extra>",
        text: series.values,
        textposition: "auto",
      }],
      layout: layout,
      links: null,
    };
  }

  const builders = { phase: phaseChart, health: healthChart, programme: programmeChart };

  function showEmpty(element) {
    element.classList.add("chart-empty");
    element.textContent = element.getAttribute("data-empty") || "";
  }

  function draw() {
    const source = document.getElementById("dashboard-data");
    const elements = document.querySelectorAll("[data-chart]");
    if (!source || !elements.length) return;
    const data = JSON.parse(source.textContent);
    elements.forEach((element) => {
      const name = element.getAttribute("data-chart");
      const build = builders[name];
      if (!build || !hasValues(data[name])) {
        showEmpty(element);
        return;
      }
      if (!window.Plotly) return;
      const chart = build(data);
      element.textContent = "";
      window.Plotly.newPlot(element, chart.traces, chart.layout, {
        displayModeBar: false,
        responsive: true,
      }).then(() => {
        if (!chart.links) return;
        element.classList.add("chart-clickable");
        element.on("plotly_click", (event) => {
          const point = event.points && event.points[0];
          const index = point ? (point.pointNumber ?? point.pointIndex) : -1;
          if (index >= 0 && chart.links[index]) window.location.assign(chart.links[index]);
        });
      });
    });
  }

  // Printed pages are narrower than the screen: fit the charts to the paper, then back.
  function resizeAll() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart].js-plotly-plot").forEach((element) => {
      window.Plotly.Plots.resize(element);
    });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
