/* Inside the widget's frame: Escape asks the organiser's page to close the overlay (the
   key press stays in the frame otherwise). The parent checks the message's origin. */
document.addEventListener("keydown", function (e) {
  if (e.key === "Escape" && window.parent !== window) {
    window.parent.postMessage({ tentative: "close" }, "*");
  }
});
