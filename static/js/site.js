"use strict";
// Site-wide behaviour (every page): the menu button, the theme toggle, "/" to search,
// copy-link buttons and the labels of responsive tables. No inline scripts (CSP).
(function () {
  var root = document.documentElement;
  var THEME_KEY = "atlas-theme";
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  // ---- theme: a stored choice wins, else the OS setting --------------------------------
  function storedTheme() {
    try { return window.localStorage.getItem(THEME_KEY); } catch (e) { return null; }
  }
  function currentTheme() {
    var set = root.getAttribute("data-theme");
    if (set === "light" || set === "dark") { return set; }
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }
  function syncThemeButtons() {
    var dark = currentTheme() === "dark";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (btn) {
      btn.setAttribute("aria-pressed", dark ? "true" : "false");
      btn.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
    });
  }
  function applyTheme(theme) {
    root.setAttribute("data-theme", theme);
    try { window.localStorage.setItem(THEME_KEY, theme); } catch (e) { /* not remembered */ }
    syncThemeButtons();
    document.dispatchEvent(new CustomEvent("atlas:themechange", { detail: { theme: theme } }));
  }
  if (darkQuery && darkQuery.addEventListener) {
    darkQuery.addEventListener("change", function () {
      if (!storedTheme()) {
        syncThemeButtons();
        document.dispatchEvent(new CustomEvent("atlas:themechange", { detail: { theme: currentTheme() } }));
      }
    });
  }

  // ---- menu button (below the desktop breakpoint) --------------------------------------
  function setMenu(btn, open) {
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    var nav = document.getElementById(btn.getAttribute("aria-controls"));
    if (nav) { nav.classList.toggle("is-open", open); }
  }

  // ---- responsive tables: each cell gets its column's header as data-label -------------
  // Templates may write data-label themselves; cells without one get the header text, so a
  // table needs only class="responsive" to turn into stacked cards on phones (layout.css).
  function labelTables(scope) {
    (scope || document).querySelectorAll("table.responsive").forEach(function (table) {
      var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) { return; }
      var labels = [];
      Array.prototype.forEach.call(headRow.cells, function (th) {
        var text = (th.getAttribute("data-label") || th.textContent).replace(/\s+/g, " ").trim();
        for (var i = 0; i < (th.colSpan || 1); i++) { labels.push(text); }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var col = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && labels[col]) { cell.setAttribute("data-label", labels[col]); }
            col += cell.colSpan || 1;
          });
        });
      });
    });
  }

  // ---- copy-link buttons ----------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text; area.setAttribute("readonly", ""); area.className = "visually-hidden";
      document.body.appendChild(area); area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }
  function copyLink(btn) {
    var url = new URL(btn.getAttribute("data-copy-link") || window.location.href, window.location.href).href;
    var status = btn.parentNode.querySelector("[data-copy-status]");
    copyText(url).then(function () {
      btn.classList.add("is-copied");
      if (status) { status.textContent = "Link copied"; }
    }, function () {
      if (status) { status.textContent = "Copy failed: " + url; }
    });
    window.setTimeout(function () {
      btn.classList.remove("is-copied");
      if (status) { status.textContent = ""; }
    }, 2500);
  }

  // ---- copy-code buttons (deploy bundles): copy the text of the element named by id -------
  function copyCode(btn) {
    var source = document.getElementById(btn.getAttribute("data-copy-target"));
    var status = btn.parentNode.querySelector("[data-copy-status]");
    if (!source) { return; }
    copyText(source.textContent).then(function () {
      if (status) { status.textContent = "Copied"; }
    }, function () {
      if (status) { status.textContent = "Copy failed: select the text instead"; }
    });
    window.setTimeout(function () { if (status) { status.textContent = ""; } }, 2500);
  }

  // ---- wiring ---------------------------------------------------------------------------
  function isTyping(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  document.addEventListener("click", function (e) {
    var target = e.target.closest ? e.target : e.target.parentElement;
    var themeBtn = target && target.closest("[data-theme-toggle]");
    if (themeBtn) { applyTheme(currentTheme() === "dark" ? "light" : "dark"); return; }
    var navBtn = target && target.closest("[data-nav-toggle]");
    if (navBtn) { setMenu(navBtn, navBtn.getAttribute("aria-expanded") !== "true"); return; }
    var copyBtn = target && target.closest("[data-copy-link]");
    if (copyBtn) { copyLink(copyBtn); return; }
    var codeBtn = target && target.closest("[data-copy-target]");
    if (codeBtn) { copyCode(codeBtn); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(document.activeElement)) {
      var search = document.querySelector("[data-search-primary]") || document.getElementById("header-q");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    } else if (e.key === "Escape") {
      document.querySelectorAll("[data-nav-toggle][aria-expanded='true']").forEach(function (btn) {
        setMenu(btn, false); btn.focus();
      });
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncThemeButtons();
    labelTables(document);
  });
  document.addEventListener("htmx:afterSettle", function () { labelTables(document); });
})();
