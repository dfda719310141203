"""Static CSS and browser scripts of the web UI (no Python logic)."""

from __future__ import annotations

CSS = """
#app-title h2 { margin: 0; }
#answer-details { font-size: 0.85em; opacity: 0.8; min-height: 1.4em; }
#answer-details .html-container { padding: 0; }
#chatbot .md { line-height: var(--line-lg); }  /* messages are our HTML, not Markdown: keep prose spacing */
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
            margin: 8px 0; scroll-margin-top: 8px; }
.src-card.flash { animation: src-flash 1.4s ease-out; }
@keyframes src-flash { from { background: #fff3b0; } to { background: transparent; } }
.src-head { line-height: 1.3; }
.src-n { font-weight: 700; color: var(--color-accent); }
.src-title { font-weight: 700; }
.src-meta { font-size: 0.85em; opacity: 0.8; margin-top: 2px; overflow-wrap: anywhere; }
#sources-panel blockquote.src-passage { margin: 6px 0 0 0 !important; padding: 0 0 0 8px;
               border-left: 3px solid var(--border-color-primary); font-size: 0.9em; white-space: pre-wrap; }
.src-passage mark { background: #fde68a; color: inherit; padding: 0 1px; }
.src-details { font-size: 0.8em; opacity: 0.75; margin: 4px 0 10px 0; }
.src-empty { opacity: 0.7; font-style: italic; }
.src-turn h4, .src-turn summary { margin: 4px 0; font-weight: 700; cursor: pointer; }
.ingest-report { width: 100%; font-size: 0.9em; }
.ingest-report td:first-child { width: 1.5em; text-align: center; }
.ingest-failed td { color: var(--error-text-color, #b91c1c); }
"""

# Clicking a citation marker [n] in an answer brings its source card into view. Answers carry it as
# <a href="#src-<turn>-<n>"> (render.chat_html); the default hash navigation is not used because
# Gradio's page has <base href="./">, so with a query string in the URL "#x" would reload the page.
# A capture-phase listener on the document sees clicks inside the chatbot too.
#
# wartaSetLocale switches the interface language at runtime through the frontend's own changeLocale(),
# exported by its hashed core-*.js module (an internal API of Gradio 6.31: check it after upgrades;
# Gradio's footer "Settings" page offers a language picker too).
HEAD = """
<script>
(function () {
  if (window.__warta) return;
  window.__warta = true;
  document.addEventListener("click", function (ev) {
    var path = ev.composedPath ? ev.composedPath() : [ev.target];
    var link = null;
    for (var i = 0; i < path.length; i++) {
      var el = path[i];
      if (el && el.tagName === "A" && (el.getAttribute("href") || "").indexOf("#src-") === 0) { link = el; break; }
    }
    if (!link) return;
    ev.preventDefault();
    ev.stopPropagation();
    var card = document.getElementById(link.getAttribute("href").slice(1));
    if (!card) return;
    var folded = card.closest("details");
    if (folded && !folded.open) folded.open = true;
    card.scrollIntoView({ behavior: "instant", block: "nearest" });
    card.classList.remove("flash"); void card.offsetWidth; card.classList.add("flash");
  }, true);

  window.wartaSetLocale = async function (choice, remember) {
    if (remember) { try { localStorage.setItem("warta-ui-lang", choice); } catch (e) {} }
    var want = (choice === "id" || choice === "en") ? choice
             : ((navigator.language || "en").toLowerCase().indexOf("id") === 0 ? "id" : "en");
    document.documentElement.setAttribute("lang", want);
    var core = performance.getEntriesByType("resource").map(function (e) { return e.name; })
        .find(function (n) { return /\\/assets\\/core-[^\\/]+\\.js$/.test(n); });
    if (!core) return;
    try { var mod = await import(core); if (mod.changeLocale) mod.changeLocale(want); } catch (e) {}
  };
})();
</script>
"""

SET_LOCALE_JS = """(choice) => { window.wartaSetLocale && window.wartaSetLocale(choice, true); return choice; }"""

# On page load: the remembered choice, else the configured default (the toggle's initial value).
LOAD_LOCALE_JS = """(configured) => {
  let saved = null;
  try { saved = localStorage.getItem("warta-ui-lang"); } catch (e) {}
  const choice = ["auto", "id", "en"].includes(saved) ? saved : configured;
  if (window.wartaSetLocale && choice !== "auto") window.wartaSetLocale(choice, false);
  return choice;
}"""
