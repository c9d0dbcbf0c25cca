// Reload a page marked data-refresh-seconds (a running re-screening) so its progress stays current.
(function () {
  "use strict";
  var marked = document.querySelector("[data-refresh-seconds]");
  if (!marked) { return; }
  var seconds = parseInt(marked.getAttribute("data-refresh-seconds"), 10);
  if (seconds > 0) { window.setTimeout(function () { window.location.reload(); }, seconds * 1000); }
})();
