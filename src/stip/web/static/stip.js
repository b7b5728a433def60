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
  // A typed range must start before it ends: say so at the box instead of on an error page
  // that loses the other choices (other forms, e.g. 2026-Q3, are left to the server).
  function rangeCheck() {
    var form = document.querySelector("form.filters");
    var custom = form && form.querySelector("input[name=custom]");
    if (!custom) {
      return;
    }
    var range = /^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$/;
    custom.addEventListener("input", function () {
      custom.setCustomValidity("");
      custom.removeAttribute("aria-invalid");
    });
    form.addEventListener("submit", function (event) {
      var found = range.exec(custom.value);
      if (found && found[1] > found[2]) {
        event.preventDefault();
        custom.setCustomValidity(custom.getAttribute("data-order-message") || "");
        custom.setAttribute("aria-invalid", "true");
        custom.reportValidity();
        custom.focus();
      }
    });
  }

  // A long person, team or client list narrows to the names holding every typed word
  // (ignoring case and accents: "ozt" finds "Öztürk"), and the first one left is chosen, so
  // Enter or Apply shows it. An empty box gives the whole list and the first choice back;
  // a box that matches nothing stops the form with a message.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function choiceFilters() {
    var boxes = document.querySelectorAll("input.choice-filter");
    Array.prototype.forEach.call(boxes, function (box) {
      var select = document.getElementById(box.getAttribute("data-for"));
      if (!select) {
        return;
      }
      var options = Array.prototype.slice.call(select.options);
      var everyone = options[0];
      var chosen = select.value;
      var names = options.map(function (option) { return fold(option.textContent); });
      box.parentNode.hidden = false;
      box.addEventListener("input", function () {
        var words = fold(box.value).split(/\s+/).filter(Boolean);
        var kept = words.length === 0 ? options : options.filter(function (option, i) {
          return i > 0 && words.every(function (word) { return names[i].indexOf(word) !== -1; });
        });
        var none = words.length > 0 && kept.length === 0;
        select.replaceChildren.apply(select, none ? [everyone] : kept);
        select.value = words.length === 0 ? chosen : select.options[0].value;
        // nothing matches: Enter must not quietly show everyone instead
        box.setCustomValidity(none ? box.getAttribute("data-none") || "" : "");
      });
    });
  }

  // The polite live region of every page (base.html): clearing it first makes the same
  // message heard again.
  function announce(text) {
    var region = document.getElementById("live-status");
    if (!region || !text) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // The live dashboard refreshes its grid every minute (hx-trigger on #grid). On a laptop or
  // a phone the refresh is skipped while it is paused (the button) and while the user is
  // doing something (a key, a click or touch, scrolling in the last 20 s); the tile links
  // keep their ids, so htmx gives focus back to the same tile, and the scroll position is
  // kept. TV mode always refreshes.
  var QUIET_MS = 20000;
  var lastInteraction = 0;
  var PAUSE_KEY = "stip-live-paused";
  function isTv() {
    return document.body.classList.contains("tv");
  }
  function paused() {
    try {
      return window.sessionStorage.getItem(PAUSE_KEY) === "1";
    } catch (e) {
      return false;
    }
  }
  function setPaused(value) {
    try {
      if (value) {
        window.sessionStorage.setItem(PAUSE_KEY, "1");
      } else {
        window.sessionStorage.removeItem(PAUSE_KEY);
      }
    } catch (e) { /* storage off: the page keeps refreshing */ }
  }
  function liveControl() {
    var button = document.getElementById("live-toggle");
    if (!button) {
      return;
    }
    function show() {
      var on = paused();
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = button.getAttribute(on ? "data-resume" : "data-pause");
    }
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      setPaused(!paused());
      show();
      announce(button.getAttribute(paused() ? "data-paused-note" : "data-resumed-note"));
    });
  }
  function noteInteraction() {
    lastInteraction = Date.now();
  }
  var savedScroll = null;
  function liveRefresh() {
    ["keydown", "pointerdown", "wheel", "touchstart"].forEach(function (name) {
      document.addEventListener(name, noteInteraction, { capture: true, passive: true });
    });
    document.addEventListener("htmx:beforeRequest", function (event) {
      var elt = event.detail && event.detail.elt;
      if (!elt || elt.id !== "grid" || isTv()) {
        return;
      }
      if (paused() || Date.now() - lastInteraction < QUIET_MS) {
        event.preventDefault();
      }
    });
    document.addEventListener("htmx:beforeSwap", function (event) {
      var target = event.detail && event.detail.target;
      if (target && target.id === "grid") {
        savedScroll = [window.scrollX, window.scrollY];
      }
    });
    document.addEventListener("htmx:afterSettle", function (event) {
      var elt = event.target;
      if (elt && elt.id === "grid" && savedScroll && !isTv()) {
        window.scrollTo(savedScroll[0], savedScroll[1]);
        savedScroll = null;
      }
    });
  }

  // Action item buttons replace their item (hx-swap outerHTML): focus goes to the new item's
  // heading and the live region says what happened ("Marked done: ...").
  function actionItems() {
    document.addEventListener("htmx:afterSettle", function (event) {
      var item = event.target;
      if (!item || !item.classList || !item.classList.contains("action-item")) {
        return;
      }
      var heading = item.querySelector(".action-title");
      if (heading) {
        heading.focus();
      }
      announce(item.getAttribute("data-announce"));
    });
    document.addEventListener("htmx:responseError", function (event) {
      var elt = event.detail && event.detail.elt;
      if (elt && elt.closest && elt.closest(".action-item")) {
        var region = document.getElementById("live-status");
        announce(region && region.getAttribute("data-failed"));
      }
    });
  }

  // The file editor: after a mistake, the cursor goes to the line it names, scrolled into view.
  function errorLine() {
    var box = document.querySelector("textarea[data-error-line]");
    if (!box) {
      return;
    }
    var line = parseInt(box.getAttribute("data-error-line"), 10);
    var lines = box.value.split("\n");
    var start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
    var end = start + (lines[line - 1] || "").length;
    box.focus();
    box.setSelectionRange(start, end);
    var height = box.scrollHeight / Math.max(lines.length, 1);
    box.scrollTop = Math.max(0, (line - 5) * height);
  }

  function start() {
    rotate();
    periodPicker();
    rangeCheck();
    choiceFilters();
    liveControl();
    liveRefresh();
    actionItems();
    errorLine();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
