// A header checkbox [data-select-all="NAME"] ticks or clears every checkbox named NAME in
// its form, and shows "some" (indeterminate) when only a few are ticked; a counter
// [data-selected-count="NAME"] says how many. No library: a few lines, served locally.
document.querySelectorAll("[data-select-all]").forEach(function (all) {
  var name = all.getAttribute("data-select-all");
  var boxes = function () {
    return document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
  };
  var count = document.querySelector('[data-selected-count="' + name + '"]');
  var refresh = function () {
    var ticked = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
    all.checked = ticked > 0 && ticked === boxes().length;
    all.indeterminate = ticked > 0 && ticked < boxes().length;
    if (count) { count.textContent = ticked; }
  };
  all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    refresh();
  });
  boxes().forEach(function (b) { b.addEventListener("change", refresh); });
  refresh();
});
