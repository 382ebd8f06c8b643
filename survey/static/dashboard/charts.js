// Draws every Plotly figure of the page from its JSON block; no inline script is needed.
// Each chart arrives drawn as static SVG in the HTML; Plotly's bundle (named by the page's
// <meta name="chart-code">) is fetched after the load event, so a slow link shows the charts
// at once, and then redraws them in place, interactive.
// For print, each chart is redrawn at the width of an A4 page: an SVG drawn for a wide screen
// would be cut at the page's edge (the last year of a trend falls off the paper).
(function () {
  "use strict";
  // 210 mm less two 15 mm margins (dashboard.css @page), at 96 CSS px per inch.
  var A4_CONTENT_PX = Math.floor((210 - 2 * 15) / 25.4 * 96);
  var printing = false;

  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  }
  // Plotly's own words (the chart toolbar, its hints) in Vietnamese for a Vietnamese page.
  var VI = {
    "Download plot as a PNG": "Tải biểu đồ về (PNG)", "Download plot": "Tải biểu đồ về",
    "Zoom": "Phóng to vùng chọn", "Pan": "Kéo", "Zoom in": "Phóng to", "Zoom out": "Thu nhỏ",
    "Autoscale": "Tự động co giãn", "Reset axes": "Đặt lại trục",
    "Toggle Spike Lines": "Bật/tắt đường dóng", "Show closest data on hover": "Hiện điểm gần nhất",
    "Compare data on hover": "So sánh khi rê chuột", "Produced with Plotly.js": "Vẽ bằng Plotly.js",
    "Double-click to zoom back out": "Nhấp đúp để thu nhỏ lại",
    "Double-click on legend to isolate one trace": "Nhấp đúp vào chú giải để chỉ hiện một đường"
  };
  function locale() {
    var lang = document.documentElement.lang || "vi";
    if (lang === "vi" && window.Plotly && window.Plotly.register) {
      window.Plotly.register({ moduleType: "locale", name: "vi", dictionary: VI,
        format: { decimal: ",", thousands: "." } });
    }
    return lang;
  }
  function draw() {
    if (!window.Plotly) { return; }
    var lang = locale();
    charts().forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      el.textContent = "";  // the static drawing gives way
      window.Plotly.newPlot(el, figure.data, figure.layout,
        { responsive: true, displaylogo: false, locale: lang,
          modeBarButtonsToRemove: ["select2d", "lasso2d"] });
    });
  }
  function fit(toPrint) {
    if (toPrint === printing) { return; }
    printing = toPrint;
    charts().forEach(function (el) {
      if (!window.Plotly || !el.data) { return; }  // a static SVG fits any width itself
      if (toPrint) {
        var width = Math.min(el.getBoundingClientRect().width || A4_CONTENT_PX, A4_CONTENT_PX);
        window.Plotly.relayout(el, { width: width, autosize: false });
      } else {
        window.Plotly.relayout(el, { width: null, autosize: true });
      }
    });
    document.documentElement.setAttribute("data-charts-fit", toPrint ? "print" : "screen");
  }
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  window.addEventListener("beforeprint", function () { fit(true); });
  window.addEventListener("afterprint", function () { fit(false); });
  if (window.matchMedia) {
    var query = window.matchMedia("print");
    var onChange = function (event) { fit(event.matches); };
    if (query.addEventListener) { query.addEventListener("change", onChange); }
    else if (query.addListener) { query.addListener(onChange); }
  }
  function loadPlotly() {
    var meta = document.querySelector('meta[name="chart-code"]');
    if (!meta || !charts().length) { return; }
    var script = document.createElement("script");
    script.src = meta.getAttribute("content");
    script.addEventListener("load", function () {
      draw();
      if (printing) { printing = false; fit(true); }  // printing began before Plotly came
    });
    document.head.appendChild(script);
  }
  document.addEventListener("DOMContentLoaded", function () {
    printButtons();
    document.documentElement.setAttribute("data-charts-fit", "screen");
  });
  window.addEventListener("load", loadPlotly);
})();
