// A background job's page: poll its status and move the bar; reload when it has finished,
// so the server renders the summary or the list of problems in the page's language.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-bar");
  var done = document.getElementById("job-done");
  var total = document.getElementById("job-total");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(poll, 2000); return; }
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        done.textContent = job.done;
        total.textContent = job.total || "?";
        if (["done", "rejected", "failed"].indexOf(job.state) >= 0) {
          window.location.reload();
        } else {
          setTimeout(poll, 500);
        }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
}());
