// Stip: the little behaviour htmx does not cover (CSP allows only same-origin scripts).
(function () {
  "use strict";
  function rotate() {
    var next = document.body.getAttribute("data-rotate-next");
    var seconds = parseInt(document.body.getAttribute("data-rotate-seconds") || "60", 10);
    if (next) {
      window.setTimeout(function () { window.location.assign(next); }, seconds * 1000);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", rotate);
  } else {
    rotate();
  }
})();
