// A link to a line range of an archived text, texts/ID.html?to=298#L295, lands on its first line
// (the fragment works without JavaScript) and highlights every line of the range. No library.
(function () {
  "use strict";
  var LIMIT = 2000; // lines highlighted at most
  function mark(single) {
    document.querySelectorAll(".kb-line.kb-in-range").forEach(function (line) { line.classList.remove("kb-in-range"); });
    var m = /^#L(\d+)$/.exec(location.hash);
    if (!m) return;
    var from = Number(m[1]);
    var to = single ? from : Number(new URLSearchParams(location.search).get("to") || from);
    for (var n = from; n <= Math.min(Math.max(from, to), from + LIMIT); n++) {
      var line = document.getElementById("L" + n);
      if (line) line.classList.add("kb-in-range");
    }
    var first = document.getElementById("L" + from);
    if (first) first.scrollIntoView({ block: "start" });
  }
  function init() {
    if (!document.querySelector(".kb-text")) return;
    mark(false);
    window.addEventListener("hashchange", function () { mark(true); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
