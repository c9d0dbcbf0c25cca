/* The order form, enhanced: add and remove lines in the page, and a live preview of each line's
   chemical (a server-rendered fragment fetched after typing pauses). Without this script the form
   still works: its "Add line", "Remove" and "Check lines" buttons post the form back. */
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) { return; }
  var table = document.getElementById("order-lines");
  var template = document.getElementById("line-template");
  var previewUrl = form.getAttribute("data-preview-url");
  var DEBOUNCE_MS = 450;

  function lineIndex(tbody) { return tbody.getAttribute("data-line"); }

  function field(tbody, name) {
    return tbody.querySelector("[name='lines-" + lineIndex(tbody) + "-" + name + "']");
  }

  function renumber() {
    var lines = table.querySelectorAll("tbody.line");
    lines.forEach(function (tbody, position) {
      var cell = tbody.querySelector(".col-n");
      if (cell) { cell.textContent = String(position + 1); }
      var remove = tbody.querySelector("[data-remove-line]");
      if (remove) { remove.setAttribute("aria-label", "Remove line " + (position + 1)); }
    });
  }

  function nextIndex() {
    var max = -1;
    table.querySelectorAll("tbody.line").forEach(function (tbody) {
      var n = parseInt(lineIndex(tbody), 10);
      if (!isNaN(n) && n > max) { max = n; }
    });
    return max + 1;
  }

  function addLine() {
    var index = String(nextIndex());
    var html = template.innerHTML.split("__i__").join(index);
    var holder = document.createElement("table");
    holder.innerHTML = html;
    var tbody = holder.querySelector("tbody.line");
    table.appendChild(tbody);
    wire(tbody);
    renumber();
    var first = tbody.querySelector("input");
    if (first) { first.focus(); }
  }

  function removeLine(tbody) {
    var lines = table.querySelectorAll("tbody.line");
    if (lines.length <= 1) {
      tbody.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      var preview = tbody.querySelector(".line-preview");
      if (preview) { preview.innerHTML = ""; }
      return;
    }
    var following = tbody.nextElementSibling;
    tbody.parentNode.removeChild(tbody);
    renumber();
    var focusTarget = (following && following.querySelector("input")) || document.getElementById("add-line");
    if (focusTarget) { focusTarget.focus(); }
  }

  function wire(tbody) {
    var timer = null;
    var sequence = 0;
    var preview = tbody.querySelector(".line-preview");
    function refresh() {
      var cas = field(tbody, "cas");
      var chemical = field(tbody, "chemical");
      var kind = field(tbody, "kind");
      var params = new URLSearchParams();
      params.set("cas", cas ? cas.value.trim() : "");
      params.set("chemical", chemical ? chemical.value.trim() : "");
      params.set("kind", kind ? kind.value : "auto");
      if (!params.get("cas") && !params.get("chemical")) {
        preview.innerHTML = "";
        return;
      }
      var mine = ++sequence;
      preview.classList.add("line-preview--busy");
      fetch(previewUrl + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { "Accept": "text/html", "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.status === 204) { return ""; }
        if (!response.ok) { throw new Error("preview failed: " + response.status); }
        return response.text();
      }).then(function (html) {
        if (mine !== sequence) { return; }  // a newer request is on its way
        preview.innerHTML = html;  // rendered and escaped by the server's template
      }).catch(function () {
        if (mine !== sequence) { return; }
        preview.textContent = "The preview is not available just now; the line will still be screened.";
      }).then(function () {
        if (mine === sequence) { preview.classList.remove("line-preview--busy"); }
      });
    }
    tbody.querySelectorAll("[data-preview]").forEach(function (input) {
      var eventName = input.tagName === "SELECT" ? "change" : "input";
      input.addEventListener(eventName, function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, DEBOUNCE_MS);
      });
    });
    var remove = tbody.querySelector("[data-remove-line]");
    if (remove) {
      remove.addEventListener("click", function (event) {
        event.preventDefault();
        removeLine(tbody);
      });
    }
  }

  table.querySelectorAll("tbody.line").forEach(wire);
  var add = document.getElementById("add-line");
  if (add) {
    add.addEventListener("click", function (event) {
      event.preventDefault();
      addLine();
    });
  }
  // Transit countries: a filter box over the long list, and the choices named under it.
  var transit = document.getElementById("f-transit_countries");
  if (transit) {
    var filter = document.createElement("input");
    filter.type = "search";
    filter.placeholder = "Type to filter countries";
    filter.setAttribute("aria-label", "Filter the transit countries");
    filter.className = "transit-filter";
    var chosen = document.createElement("p");
    chosen.className = "hint";
    chosen.setAttribute("aria-live", "polite");
    transit.parentNode.insertBefore(filter, transit);
    transit.parentNode.insertBefore(chosen, transit.nextSibling);
    var showChosen = function () {
      var names = Array.prototype.filter.call(transit.options, function (o) { return o.selected; })
        .map(function (o) { return o.textContent; });
      chosen.textContent = names.length ? "Chosen: " + names.join("; ") : "None chosen";
    };
    filter.addEventListener("input", function () {
      var text = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(transit.options, function (o) {
        o.hidden = text !== "" && o.textContent.toLowerCase().indexOf(text) === -1 && !o.selected;
      });
    });
    transit.addEventListener("change", showChosen);
    showChosen();
  }

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
