/* The staff pages' few behaviours, each an enhancement: every page works without it.
   - [data-autosubmit] on a <select>: submit its form on change (language switcher, filters).
   - .confirm (components/confirm.html): the inline confirmation form becomes a modal
     <dialog> opened by its button.
   - [data-countdown] (components/countdown.html): the server's text is refreshed each minute. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  function enhanceConfirm(box) {
    var dialog = box.querySelector("dialog");
    var opener = box.querySelector("[data-open]");
    if (!dialog || !opener || typeof dialog.showModal !== "function") return;
    dialog.classList.remove("inline-fallback");
    dialog.removeAttribute("open");
    opener.hidden = false;
    opener.addEventListener("click", function () { dialog.showModal(); });
    box.querySelectorAll("[data-close]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { dialog.close(); });
    });
    // A form sent back with an error next to its message field opens again by itself.
    if (box.hasAttribute("data-reopen")) dialog.showModal();
  }

  function tick(el) {
    var until = Date.parse(el.getAttribute("datetime"));
    if (isNaN(until)) return;
    var left = Math.round((until - Date.now()) / 60000);
    var late = left <= 0;
    el.classList.toggle("late", late);
    el.classList.toggle("soon", !late && left < 24 * 60);
    var out = el.querySelector("[data-left]");
    if (!out) return;
    var minutes = Math.abs(left), days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    var lang = document.documentElement.lang || "en";
    var parts = [];
    try {
      var fmt = function (n, unit) { return new Intl.NumberFormat(lang, { style: "unit", unit: unit, unitDisplay: "long" }).format(n); };
      if (days) parts.push(fmt(days, "day"));
      if (hours || days) parts.push(fmt(hours, "hour"));
      if (!days) parts.push(fmt(minutes % 60, "minute"));
    } catch (e) { return; }
    var template = el.getAttribute(late ? "data-late" : "data-left-template");
    if (template) out.textContent = template.replace("{time}", parts.join(" "));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".confirm").forEach(enhanceConfirm);
    var clocks = document.querySelectorAll("[data-countdown]");
    if (clocks.length) {
      var all = function () { clocks.forEach(tick); };
      all();
      setInterval(all, 60000);
    }
  });
})();

/* [data-copy="input-id"] on a button: copy that input's text (a payment link), then show
   the button's data-done text. */
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.dataset.copy);
  if (!input) return;
  var done = function () { button.textContent = button.dataset.done; };
  input.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
  } else { document.execCommand("copy"); done(); }
});
