"use strict";
// Loaded in <head>, before the stylesheets: marks that scripts run (the CSS shows the menu
// and theme buttons only then) and applies a stored theme choice before the first paint.
// Without a stored choice the CSS follows the OS setting (prefers-color-scheme).
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = window.localStorage.getItem("atlas-theme");
    if (theme === "light" || theme === "dark") { root.setAttribute("data-theme", theme); }
  } catch (e) { /* storage blocked: follow the OS setting */ }
})();
