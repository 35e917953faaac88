// The shop screen (templates/reviews/display.html) reloads itself to show new reviews. It has
// no form nor anything to read at length: a reload interrupts nobody.
(function () {
  var seconds = parseInt(document.body.dataset.refreshSeconds, 10);
  if (seconds > 0) {
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
