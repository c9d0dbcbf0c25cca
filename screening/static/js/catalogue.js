/* A catalogue check runs chunk by chunk: this script asks the server to screen the next rows until
   the file is done, updating the progress bar, then reloads to show the results. Without it the
   page's "Screen the next rows" button does the same one chunk per click. */
(function () {
  "use strict";
  var panel = document.getElementById("catalogue-progress");
  if (!panel || panel.getAttribute("data-state") === "done") { return; }
  var url = panel.getAttribute("data-step-url");
  var token = panel.getAttribute("data-csrf");
  var bar = document.getElementById("catalogue-progress-bar");
  var status = document.getElementById("catalogue-status");
  var button = document.querySelector("#catalogue-continue button");
  var failures = 0;

  function show(progress) {
    if (bar) { bar.value = progress.processed; bar.max = progress.total; }
    ["processed", "flagged", "unresolved"].forEach(function (name) {
      var el = panel.querySelector("[data-count='" + name + "']");
      if (el) { el.textContent = Number(progress[name]).toLocaleString(); }
    });
    if (status) {
      status.textContent = "Screening… " + Number(progress.processed).toLocaleString() + " of " +
        Number(progress.total).toLocaleString() + " rows. Keep this page open.";
    }
  }

  function step() {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      if (!response.ok) { throw new Error("step failed: " + response.status); }
      return response.json();
    }).then(function (progress) {
      failures = 0;
      show(progress);
      if (progress.state === "done" || progress.processed >= progress.total) {
        if (status) { status.textContent = "Done. Loading the results…"; }
        window.location.reload();
        return;
      }
      step();
    }).catch(function () {
      failures += 1;
      if (failures < 4) {
        window.setTimeout(step, 1500 * failures);
        return;
      }
      if (status) { status.textContent = "Screening stopped (the server did not answer). Use the button to continue."; }
      if (button) { button.disabled = false; }
    });
  }

  if (button) { button.disabled = true; }
  step();
})();
