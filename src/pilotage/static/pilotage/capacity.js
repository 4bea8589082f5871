// Demand against capacity: draws the heat map (a click shows what is behind a cell) and a
// resource's histogram with Plotly, from the JSON data the page carries.
(function () {
  "use strict";

  function cssColour(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function readData(id) {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function baseLayout(data) {
    const font = getComputedStyle(document.body).fontFamily;
    return {
      separators: data.separators || ".,",
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: font, size: 12, color: cssColour("--ink-soft", "#4a5867") },
      hoverlabel: { font: { family: font }, align: "left" },
    };
  }

  // Percent of capacity on a 0..max scale: greens up to 100 %, then a sharp step to reds.
  function colourScale(max) {
    const at = (percent) => Math.min(percent / max, 1);
    const full = at(100.5);
    return [
      [0, "#f3f6f9"],
      [at(1), "#e4f2e9"],
      [at(50), "#b7dec6"],
      [at(90), "#64b68d"],
      [full, "#2f8f5e"],
      [full, "#f6b4ab"],
      [at(150), "#d9473b"],
      [1, "#8a1c14"],
    ];
  }

  function showCell(element, data, row, column) {
    const url = data.urls[row] && data.urls[row][column];
    const panel = document.getElementById("cell-detail");
    if (!url || !panel || !window.htmx) return;
    window.htmx.ajax("GET", url, { target: panel, swap: "innerHTML" }).then(() => {
      const box = panel.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight - 80) {
        panel.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    });
    window.Plotly.relayout(element, {
      shapes: [{
        type: "rect",
        x0: column - 0.5, x1: column + 0.5, y0: row - 0.5, y1: row + 0.5,
        line: { color: cssColour("--ink", "#17212b"), width: 2 },
      }],
    });
  }

  function drawHeatmap(element) {
    const data = readData(element.getAttribute("data-heatmap"));
    if (!data || !window.Plotly) return;
    const rows = data.rows.map((_label, index) => index);
    const columns = data.periods.map((_label, index) => index);
    const layout = baseLayout(data);
    layout.margin = { l: 8, r: 8, t: 8, b: 8 };
    layout.height = Math.max(220, 30 * data.rows.length + 110);
    // Numbered axes with text ticks: two people with the same name keep two rows.
    layout.xaxis = {
      tickvals: columns, ticktext: data.periods, side: "top", automargin: true,
      fixedrange: true, showgrid: false, zeroline: false, tickangle: data.periods.length > 14 ? -45 : 0,
    };
    layout.yaxis = {
      tickvals: rows, ticktext: data.rows, autorange: "reversed", automargin: true,
      fixedrange: true, showgrid: false, zeroline: false,
    };
    const showText = data.rows.length * data.periods.length <= 900;
    const trace = {
      type: "heatmap",
      x: columns,
      y: rows,
      z: data.z,
      zmin: 0,
      zmax: data.max,
      colorscale: colourScale(data.max),
      xgap: 2,
      ygap: 2,
      customdata: data.hover,
      hovertemplate: "%{customdata}<extra></extra>",
      text: data.text,
      texttemplate: showText ? "%{text}" : "",
      textfont: { size: 11 },
      colorbar: {
        title: { text: data.labels.colorbar, side: "right" },
        tickvals: [0, 50, 100, 150, data.max],
        ticktext: ["0 %", "50 %", "100 %", "150 %", "≥ " + data.max + " %"],
        thickness: 12,
        len: Math.min(1, 260 / layout.height),
        yanchor: "top",
        y: 1,
      },
    };
    element.textContent = "";
    window.Plotly.newPlot(element, [trace], layout, { displayModeBar: false, responsive: true })
      .then(() => {
        element.classList.add("chart-clickable");
        element.on("plotly_click", (event) => {
          const point = event.points && event.points[0];
          if (!point) return;
          showCell(element, data, Math.round(point.y), Math.round(point.x));
        });
      });
  }

  function drawHistogram(element) {
    const data = readData(element.getAttribute("data-histogram"));
    if (!data || !window.Plotly) return;
    const grey = { bau: "#9aa5b1", other: "#c9d1da" };
    const traces = data.series.map((series) => ({
      type: "bar",
      name: series.name,
      x: data.periods,
      y: series.hours,
      marker: grey[series.kind] ? { color: grey[series.kind] } : {},
      hovertemplate: "%{x} · %{fullData.name}: %{y:,.1f} " + data.labels.hours + "<extra></extra>",
    }));
    traces.push({
      type: "scatter",
      mode: "lines",
      name: data.labels.capacity,
      x: data.periods,
      y: data.capacity,
      line: { color: cssColour("--ink", "#17212b"), width: 2, dash: "dash", shape: "hvh" },
      hovertemplate: "%{x} · %{fullData.name}: %{y:,.1f} " + data.labels.hours + "<extra></extra>",
    });
    const layout = baseLayout(data);
    layout.barmode = data.barmode || "stack";
    layout.bargap = 0.2;
    layout.margin = { l: 48, r: 12, t: 8, b: 8 };
    layout.height = 340;
    layout.showlegend = true;
    // Above the bars: below them the legend would run into the slanted period labels.
    layout.legend = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 11 } };
    layout.xaxis = { automargin: true, fixedrange: true, type: "category" };
    layout.yaxis = {
      rangemode: "tozero", fixedrange: true, ticksuffix: " h",
      gridcolor: cssColour("--line-soft", "#eef1f4"),
    };
    element.textContent = "";
    window.Plotly.newPlot(element, traces, layout, { displayModeBar: false, responsive: true });
  }

  function drawWithin(root) {
    root.querySelectorAll("[data-heatmap]").forEach(drawHeatmap);
    root.querySelectorAll("[data-histogram]").forEach(drawHistogram);
  }

  // The histogram card is replaced by htmx when its dates change: draw the new one.
  document.addEventListener("htmx:load", (event) => {
    const element = event.detail && event.detail.elt;
    if (element && element !== document.body && element.querySelectorAll) drawWithin(element);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawWithin(document));
  } else {
    drawWithin(document);
  }
})();
