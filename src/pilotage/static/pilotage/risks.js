// The risk trend: open risks by RAG as stacked bars and their expected value as lines, week by
// week, drawn with Plotly from the JSON the page carries.
(function () {
  "use strict";

  function cssColour(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw() {
    const element = document.getElementById("risk-trend-chart");
    const source = document.getElementById("risk-trend-data");
    if (!element || !source || !window.Plotly) return;
    const data = JSON.parse(source.textContent);
    const font = getComputedStyle(document.body).fontFamily;
    const bar = (values, name, colour) => ({
      type: "bar",
      x: data.weeks,
      y: values,
      name: name,
      marker: { color: colour },
      hovertemplate: "%{x}: %{y} " + name + "<extra></extra>",
    });
    const traces = [
      bar(data.red, data.labels.red, cssColour("--red", "#c8372d")),
      bar(data.amber, data.labels.amber, cssColour("--amber", "#c77c02")),
      bar(data.green, data.labels.green, cssColour("--green", "#1e8e5a")),
    ];
    const dashes = ["solid", "dot", "dash", "dashdot"];
    Object.keys(data.emv).forEach((currency, index) => {
      const name = data.labels.emv + " (" + currency + ")";
      traces.push({
        type: "scatter",
        mode: "lines+markers",
        x: data.weeks,
        y: data.emv[currency],
        name: name,
        yaxis: "y2",
        line: { color: cssColour("--brand", "#1f4e79"), width: 2, dash: dashes[index % dashes.length] },
        hovertemplate: "%{x}: %{y:,.0f} " + currency + "<extra>" + data.labels.emv + "</extra>",
      });
    });
    window.Plotly.newPlot(
      element,
      traces,
      {
        barmode: "stack",
        separators: data.separators || ".,",
        margin: { l: 48, r: 64, t: 8, b: 40 },
        paper_bgcolor: "rgba(0,0,0,0)",
        plot_bgcolor: "rgba(0,0,0,0)",
        font: { family: font, size: 12, color: cssColour("--ink-soft", "#4a5867") },
        legend: { orientation: "h", y: -0.2 },
        xaxis: { type: "category", fixedrange: true },
        yaxis: { title: { text: data.labels.risks }, rangemode: "tozero", tickformat: ",d", fixedrange: true },
        yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", tickformat: ",.0f", fixedrange: true, showgrid: false },
      },
      { displayModeBar: false, responsive: true }
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
