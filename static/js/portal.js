/* 承诺通: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // A form sent once is not sent again by a second click while the next page loads (the server
  // answers a repeat with the first result anyway: portal/once.py).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent) { event.preventDefault(); return; }
    var confirmText = event.submitter && event.submitter.dataset.confirm;
    if (confirmText && !window.confirm(confirmText)) { event.preventDefault(); return; }
    if ((form.method || "").toLowerCase() === "post") { form.dataset.sent = "1"; }
  });
  window.addEventListener("pageshow", function () {  // back button: the page is usable again
    document.querySelectorAll("form[data-sent]").forEach(function (f) { delete f.dataset.sent; });
  });

  // Links that do something irreversible ask first (the page they open asks again for a reason).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.dataset.confirm)) { event.preventDefault(); }
  });

  // The service picker: filter as one types (two Latin letters for pinyin initials, or any Chinese).
  document.querySelectorAll("[data-filter-input]").forEach(function (input) {
    var list = document.querySelector(input.dataset.filterInput);
    if (!list) { return; }
    var items = list.querySelectorAll("[data-filter-item]");
    var count = document.querySelector("[data-filter-count]");
    var empty = document.querySelector("[data-filter-empty]");
    var template = count ? count.textContent.replace(/\d+/, "{n}") : "";
    function apply() {
      var q = input.value.replace(/\s+/g, "").toLowerCase();
      var active = /[^\x00-\x7f]/.test(q) || q.length >= 2;
      var shown = 0;
      items.forEach(function (item) {
        var hit = !active || item.dataset.filterText.toLowerCase().indexOf(q) !== -1;
        item.classList.toggle("d-none", !hit);
        if (hit) { shown += 1; }
      });
      if (count) { count.textContent = template.replace("{n}", shown); }
      if (empty) { empty.hidden = shown !== 0; }
    }
    input.addEventListener("input", apply);
  });

  // Fields that only matter when a box is ticked (e.g. the guardian's fields): hidden until then.
  document.querySelectorAll("[data-shown-when]").forEach(function (block) {
    var box = document.getElementById(block.dataset.shownWhen);
    if (!box) { return; }
    function apply() { block.hidden = !box.checked; }
    box.addEventListener("change", apply);
    apply();
  });

  // After a refused submit: the error summary takes the focus, so screen readers read it at once.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
