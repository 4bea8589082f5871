// A contract's billed against earned chart: two cumulative lines by month, drawn with Plotly
// from the JSON the page carries.
(function () {
  "use strict";

  function cssColour(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw() {
    const element = document.getElementById("billed-earned-chart");
    const source = document.getElementById("billed-earned-data");
    if (!element || !source || !window.Plotly) return;
    const data = JSON.parse(source.textContent);
    const font = getComputedStyle(document.body).fontFamily;
    const line = (values, name, colour, dash) => ({
      type: "scatter",
      mode: "lines+markers",
      x: data.months,
      y: values,
      name: name,
      line: { color: colour, width: 2, shape: "hv", dash: dash },
      hovertemplate: "%{x}: %{y:,.2f} " + data.currency + "<extra>" + name + "</extra>",
    });
    window.Plotly.newPlot(
      element,
      [
        line(data.billed, data.labels.billed, cssColour("--red", "#c8372d"), "solid"),
        line(data.earned, data.labels.earned, cssColour("--green", "#1e8e5a"), "dot"),
      ],
      {
        separators: data.separators || ".,",
        margin: { l: 60, r: 16, t: 8, b: 40 },
        paper_bgcolor: "rgba(0,0,0,0)",
        plot_bgcolor: "rgba(0,0,0,0)",
        font: { family: font, size: 12, color: cssColour("--ink-soft", "#4a5867") },
        legend: { orientation: "h", y: -0.2 },
        yaxis: { rangemode: "tozero", tickformat: ",.0f", fixedrange: true, automargin: true },
        xaxis: { type: "category", fixedrange: true },
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
