/* The public pages' behaviours, each an enhancement (every page works without it):
   - [data-hold-until] (the checkout's hold timer): counts down each second, shows the
     warning and its "more time" button from [data-warn-seconds] before the end, and
     reloads the page at the end (the server then says the places were released). */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function start(box) {
    var until = Date.parse(box.getAttribute("data-hold-until"));
    var warnAt = parseInt(box.getAttribute("data-warn-seconds") || "120", 10);
    var clock = box.querySelector("[data-clock]");
    var warning = box.querySelector("[data-warning]");
    if (isNaN(until) || !clock) return;
    var warned = false, ended = false;
    function tick() {
      var left = Math.max(0, Math.round((until - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      if (left <= warnAt && !warned) {
        warned = true;
        box.classList.add("warning");
        if (warning) { warning.hidden = false; }
      }
      if (left <= 0 && !ended) {
        ended = true;
        window.location.reload();
      }
    }
    tick();
    setInterval(tick, 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-hold-until]").forEach(start);
  });
})();
