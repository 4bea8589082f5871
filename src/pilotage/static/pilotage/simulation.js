// Schedule risk simulation: draws a run's finish histogram with its cumulative curve, its
// cost histogram and its tornado chart with Plotly, from the JSON the page carries.
(function () {
  "use strict";

  function cssColour(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function baseLayout(extra) {
    const font = getComputedStyle(document.body).fontFamily;
    return Object.assign({
      margin: { l: 60, r: 60, t: 28, b: 48 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: font, size: 12, color: cssColour("--ink-soft", "#4a5867") },
      hoverlabel: { font: { family: font } },
      showlegend: true,
      legend: { orientation: "h", y: -0.2 },
      bargap: 0.04,
    }, extra);
  }

  // Bars spanning each band between two edges, from the band's left edge.
  function bands(edges, counts, toNumber) {
    const widths = [];
    for (let i = 0; i < counts.length; i += 1) {
      widths.push(toNumber(edges[i + 1]) - toNumber(edges[i]));
    }
    return { x: edges.slice(0, counts.length), width: widths };
  }

  function marker(x, text, colour, dash, row) {
    return {
      shape: {
        type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
        line: { color: colour, width: 2, dash: dash },
      },
      annotation: {
        x: x, xref: "x", y: 1 - 0.08 * row, yref: "paper", text: text, showarrow: false,
        xanchor: "left", yanchor: "bottom", font: { size: 12, color: colour },
      },
    };
  }

  function addMarkers(layout, markers) {
    layout.shapes = markers.map(function (item) { return item.shape; });
    layout.annotations = markers.map(function (item) { return item.annotation; });
  }

  // A line far beyond the bars would squash them against one side: such a marker is named at
  // the edge of the chart instead.
  function nearby(value, edges, toNumber) {
    const low = toNumber(edges[0]);
    const high = toNumber(edges[edges.length - 1]);
    const margin = Math.max((high - low) / 2, 1);
    const x = toNumber(value);
    return x >= low - margin && x <= high + margin;
  }

  function edgeNote(text, colour, row, left) {
    return {
      shape: { type: "line", xref: "paper", yref: "paper", x0: 0, x1: 0, y0: 0, y1: 0,
        line: { width: 0 } },
      annotation: {
        x: left ? 0 : 1, xref: "paper", y: 1 - 0.08 * row, yref: "paper",
        text: left ? "← " + text : text + " →", showarrow: false,
        xanchor: left ? "left" : "right", yanchor: "bottom", font: { size: 12, color: colour },
      },
    };
  }

  function placed(value, edges, toNumber, text, colour, dash, row) {
    if (nearby(value, edges, toNumber)) return marker(value, text, colour, dash, row);
    return edgeNote(text, colour, row, toNumber(value) < toNumber(edges[0]));
  }

  function drawFinish(element, data) {
    const histogram = data.histogram;
    if (!histogram || !histogram.counts.length) return;
    const brand = cssColour("--brand", "#1f4e79");
    const span = bands(histogram.edges, histogram.counts, function (value) {
      return new Date(value).getTime();
    });
    const traces = [
      {
        type: "bar",
        name: data.labels.iterations,
        x: span.x,
        width: span.width,
        offset: 0,
        y: histogram.counts,
        marker: { color: brand, opacity: 0.55 },
        hovertemplate: "%{x|%d %b %Y}: %{y}<extra></extra>",
      },
    ];
    if (data.cumulative) {
      traces.push({
        type: "scatter",
        mode: "lines",
        name: data.labels.cumulative,
        x: data.cumulative.finish,
        y: data.cumulative.probability.map(function (value) { return value * 100; }),
        yaxis: "y2",
        line: { color: cssColour("--ink", "#1f2933"), width: 2 },
        hovertemplate: "%{x|%d %b %Y %H:%M}: %{y:.0f} %<extra></extra>",
      });
    }
    const markers = [];
    if (data.deterministic) {
      markers.push(marker(data.deterministic, data.labels.deterministic, cssColour("--ink-faint", "#7b8794"), "dot", 0));
    }
    if (data.p50) markers.push(marker(data.p50, data.labels.p50, cssColour("--green", "#1e8e5a"), "dash", 1));
    if (data.p80) markers.push(marker(data.p80, data.labels.p80, cssColour("--amber", "#b7791f"), "dash", 2));
    if (data.deadline) {
      markers.push(placed(data.deadline, histogram.edges, function (value) {
        return new Date(value).getTime();
      }, data.labels.deadline, cssColour("--red", "#c8372d"), "solid", 3));
    }
    const layout = baseLayout({
      xaxis: { type: "date", automargin: true, title: { text: data.labels.finish } },
      yaxis: { rangemode: "tozero", title: { text: data.labels.iterations }, automargin: true,
        gridcolor: cssColour("--line-soft", "#eef1f4") },
      yaxis2: { overlaying: "y", side: "right", range: [0, 100], dtick: 25, ticksuffix: " %",
        showgrid: false, fixedrange: true },
    });
    addMarkers(layout, markers);
    window.Plotly.newPlot(element, traces, layout, { displaylogo: false, responsive: true });
  }

  function drawCost(element, data) {
    const histogram = data.cost_histogram;
    if (!histogram) return;
    const span = bands(histogram.edges, histogram.counts, Number);
    const layout = baseLayout({
      showlegend: false,
      xaxis: { title: { text: data.labels.cost + " (" + data.currency + ")" }, tickformat: ",.0f",
        automargin: true },
      yaxis: { rangemode: "tozero", title: { text: data.labels.iterations }, automargin: true,
        gridcolor: cssColour("--line-soft", "#eef1f4") },
    });
    if (data.budget !== null && data.budget !== undefined) {
      addMarkers(layout, [placed(data.budget, histogram.edges, Number, data.labels.budget,
        cssColour("--red", "#c8372d"), "solid", 0)]);
    }
    window.Plotly.newPlot(element, [{
      type: "bar",
      x: span.x,
      width: span.width,
      offset: 0,
      y: histogram.counts,
      marker: { color: cssColour("--brand", "#1f4e79"), opacity: 0.55 },
      hovertemplate: "%{x:,.0f} " + data.currency + ": %{y}<extra></extra>",
    }], layout, { displaylogo: false, responsive: true });
  }

  function drawTornado(element, data) {
    const rows = (data.tornado || []).slice().reverse();
    if (!rows.length) return;
    const labels = rows.map(function (row) {
      const name = row.name.length > 48 ? row.name.slice(0, 47) + "…" : row.name;
      return (row.wbs ? row.wbs + " " : "") + name;
    });
    const positive = cssColour("--red", "#c8372d");
    const negative = cssColour("--green", "#1e8e5a");
    const height = Math.max(220, 28 * rows.length + 80);
    element.style.height = height + "px";
    element.style.minHeight = height + "px";
    const layout = baseLayout({
      showlegend: false,
      height: height,
      margin: { l: 20, r: 20, t: 10, b: 48 },
      xaxis: { range: [-1, 1], zeroline: true, title: { text: data.labels.sensitivity },
        fixedrange: true },
      yaxis: { automargin: true, fixedrange: true },
    });
    window.Plotly.newPlot(element, [{
      type: "bar",
      orientation: "h",
      x: rows.map(function (row) { return row.sensitivity; }),
      y: labels,
      marker: { color: rows.map(function (row) { return row.sensitivity >= 0 ? positive : negative; }) },
      hovertemplate: "%{y}: %{x:.2f}<extra></extra>",
    }], layout, { displaylogo: false, responsive: true });
  }

  const DRAW = { finish: drawFinish, cost: drawCost, tornado: drawTornado };

  function init() {
    const source = document.getElementById("simulation-data");
    if (!source || !window.Plotly) return;
    const data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-simulation-chart]").forEach(function (element) {
      const draw = DRAW[element.dataset.simulationChart];
      if (draw) draw(element, data);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
