// The desk pages' small behaviours. A print button prints the page (the attendee list).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});

// The check-in page's camera: where the browser has BarcodeDetector (Chrome on Android,
// among others), a button opens the back camera and the first QR code read fills the
// form and submits it. Elsewhere the page says to type the code. No library, no CDN.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var button = document.getElementById("camera");
  var video = document.getElementById("viewfinder");
  var input = form.querySelector("input[name=code]");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    document.getElementById("no-camera").hidden = false;
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        return video.play().then(function () {
          var look = function () {
            detector.detect(video).then(function (codes) {
              if (codes.length) {
                stream.getTracks().forEach(function (t) { t.stop(); });
                input.value = codes[0].rawValue;
                form.submit();
              } else {
                window.requestAnimationFrame(look);
              }
            }, function () { window.requestAnimationFrame(look); });
          };
          look();
        });
      })
      .catch(function () {
        document.getElementById("no-camera").hidden = false;
        button.hidden = true;
      });
  });
})();
