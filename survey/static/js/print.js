// A "Print" button without an inline handler, which the Content-Security-Policy would block.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
