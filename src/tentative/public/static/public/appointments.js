/* A service's public page: show the free times in the visitor's time zone. On the first
   visit (no ?tz= in the address) the browser's zone is sent once, by reloading with it;
   every link and form of the page then carries it. Without JavaScript the times are in the
   organiser's zone, and the page says so. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  if (params.has("tz")) return;
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) return;
  document.addEventListener("DOMContentLoaded", function () {
    var line = document.querySelector(".zone-line");
    if (!line || line.getAttribute("data-zone") === zone) return;
    // A form sent back with errors is not reloaded: what was typed stays.
    if (document.querySelector("form.book .field-error, form.book .form-errors")) return;
    params.set("tz", zone);
    window.location.replace(window.location.pathname + "?" + params.toString());
  });
})();
