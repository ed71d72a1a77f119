// Opened from disk (file://), every page says what needs a local server: only the explorer, whose
// data file browsers refuse to read from disk. Search, charts and every other page work as they are.
(function () {
  "use strict";
  function init() {
    if (location.protocol !== "file:" || document.getElementById("kb-disk-note")) return;
    var note = document.createElement("p");
    note.id = "kb-disk-note";
    note.className = "kb-disk-note";
    note.setAttribute("role", "note");
    note.textContent = "Opened from disk: every page works except the explorer, which needs a local server (run `kb site serve`, or `python3 -m http.server` in this folder).";
    var content = document.querySelector(".md-content__inner") || document.body;
    content.insertBefore(note, content.firstChild);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
