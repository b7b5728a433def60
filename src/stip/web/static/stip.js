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
  // The period picker: choosing a period empties the custom box, and typing a range there
  // selects "custom range", so the select always names what Apply will show.
  function periodPicker() {
    var form = document.querySelector("form.filters");
    var select = form && form.querySelector("select[name=period]");
    var custom = form && form.querySelector("input[name=custom]");
    if (!select || !custom) {
      return;
    }
    select.addEventListener("change", function () {
      if (select.value === "custom") {
        custom.focus();
      } else {
        custom.value = "";
      }
    });
    custom.addEventListener("input", function () {
      if (custom.value.trim() !== "") {
        select.value = "custom";
      }
    });
  }
  function start() {
    rotate();
    periodPicker();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
