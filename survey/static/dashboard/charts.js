// Draws every Plotly figure of the page from its JSON block; no inline script is needed.
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
      window.Plotly.newPlot(el, figure.data, figure.layout,
        { responsive: true, displaylogo: false, locale: lang,
          modeBarButtonsToRemove: ["select2d", "lasso2d"] });
    });
  }
  function fit(toPrint) {
    if (!window.Plotly || toPrint === printing) { return; }
    printing = toPrint;
    charts().forEach(function (el) {
      if (!el.data) { return; }
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
  document.addEventListener("DOMContentLoaded", function () {
    draw(); printButtons();
    document.documentElement.setAttribute("data-charts-fit", "screen");
  });
})();
