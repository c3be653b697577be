// A page with a worker's job on it (a data-match or claim run, a document being prepared):
// show its progress without reloading, and reload once it has finished or failed so the
// results (or the reason) are shown.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !window.fetch) { return; }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      box.querySelector("[data-stage]").textContent = d.stage;
      box.querySelector("[data-percent]").textContent = d.percent;
      box.querySelector("progress").value = d.percent;
      if (d.status === "succeeded" || d.status === "ready" || d.status === "failed") { window.location.reload(); } else { setTimeout(poll, 1500); }
    });
  }
  setTimeout(poll, 1500);
})();
