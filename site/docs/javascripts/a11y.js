// Names the theme's search dialog for screen readers (axe-core: aria-dialog-name); the theme's
// markup gives the dialog a role but no name. Plain DOM, no theme internals.
(function () {
  "use strict";
  function init() {
    document.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach(function (dialog) {
      dialog.setAttribute("aria-label", "Search");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
