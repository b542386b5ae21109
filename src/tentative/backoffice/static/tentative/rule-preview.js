// The option-deadline rule as customers read it, refreshed as the two day fields change.
(function () {
  var out = document.getElementById("rule-preview");
  if (!out) return;
  var after = document.getElementById("id_deadline_days_after_booking");
  var before = document.getElementById("id_deadline_days_before_start");
  var timer = null;
  function refresh() {
    var url = out.dataset.url + "?after=" + encodeURIComponent(after.value) +
      "&before=" + encodeURIComponent(before.value);
    fetch(url, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (text) { if (text !== null) out.textContent = text; });
  }
  [after, before].forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    });
  });
})();
