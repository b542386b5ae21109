/* A room's public page: the price of the players as they are typed (the server computes it
   again, and the booking's lines are what is charged). Without JavaScript the price shows
   when the form comes back and on the card page. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var output = document.getElementById("session-total");
    if (!output) return;
    var inputs = document.querySelectorAll("input[data-price]");
    var lang = document.documentElement.lang || undefined;
    var number = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    function update() {
      var total = 0;
      inputs.forEach(function (input) {
        var count = parseInt(input.value, 10);
        if (!(count > 0)) return;
        var price = parseFloat(input.getAttribute("data-price")) || 0;
        total += input.getAttribute("data-per-group") ? price : price * count;
      });
      output.textContent = number.format(total) + " " + output.getAttribute("data-currency");
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
  });
})();
