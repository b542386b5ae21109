/* Tentative booking widget (docs/widget.md). One tag on the organiser's site:
   <script src="…/o/{slug}/widget.js" data-event="{id}" async></script>
   Shows a button; opens the event's booking pages in an overlay (allowed sites, not on a
   phone) or in a new tab. No cookie, no storage, nothing sent until the visitor clicks. */
(function () {
  "use strict";
  var C = {{ config|safe }};
  var path = "/o/" + C.slug + "/";

  function language() {
    var wanted = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i]).slice(0, 2).toLowerCase();
      if (C.languages.indexOf(code) >= 0) { return code; }
    }
    return C.languages[0];
  }

  function framable() {
    return C.sites.indexOf(window.location.origin) >= 0 &&
      !window.matchMedia("(max-width: 640px)").matches;
  }

  function overlay(url, words, opener) {
    var backdrop = document.createElement("div");
    backdrop.setAttribute("data-tentative-overlay", "");
    backdrop.style.cssText = "position:fixed;inset:0;z-index:2147483000;background:rgba(0,0,0,.55);" +
      "display:flex;align-items:center;justify-content:center;padding:16px;";
    var box = document.createElement("div");
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-label", words.title);
    box.style.cssText = "position:relative;background:#fff;border-radius:10px;width:min(760px,100%);" +
      "height:min(860px,100%);display:flex;flex-direction:column;overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.35);";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", words.close);
    close.style.cssText = "position:absolute;top:6px;right:8px;z-index:1;font:28px/1 sans-serif;" +
      "background:#fff;border:0;border-radius:50%;width:40px;height:40px;cursor:pointer;color:#222;";
    var frame = document.createElement("iframe");
    frame.src = url;
    frame.title = words.title;
    frame.style.cssText = "border:0;width:100%;flex:1;";
    box.appendChild(close);
    box.appendChild(frame);
    backdrop.appendChild(box);
    function shut() {
      document.removeEventListener("keydown", onKey, true);
      window.removeEventListener("message", onMessage);
      backdrop.parentNode && backdrop.parentNode.removeChild(backdrop);
      opener.focus();
    }
    function onKey(e) { if (e.key === "Escape") { shut(); } }
    function onMessage(e) {  // Escape pressed inside the frame (public/widget-frame.js)
      if (e.origin === C.base && e.data && e.data.tentative === "close") { shut(); }
    }
    window.addEventListener("message", onMessage);
    close.addEventListener("click", shut);
    backdrop.addEventListener("click", function (e) { if (e.target === backdrop) { shut(); } });
    document.addEventListener("keydown", onKey, true);
    document.body.appendChild(backdrop);
    close.focus();
  }

  function mount(script) {
    var id = script.getAttribute("data-event") || "";
    if (!/^[0-9]{1,12}$/.test(id) || script.getAttribute("data-tentative-mounted")) { return; }
    script.setAttribute("data-tentative-mounted", "1");
    var lang = language();
    var words = C.labels[lang] || C.labels[C.languages[0]];
    var button = document.createElement("button");
    button.type = "button";
    button.className = "tentative-book";
    button.textContent = script.getAttribute("data-label") || words.book;
    button.style.cssText = "font:600 16px/1.2 system-ui,sans-serif;padding:12px 20px;border:0;" +
      "border-radius:8px;background:#1d4ed8;color:#fff;cursor:pointer;";
    button.addEventListener("click", function () {
      if (framable()) {
        overlay(C.base + path + "widget/events/" + id + "/?lang=" + lang, words, button);
      } else {
        window.open(C.base + path + "events/" + id + "/?lang=" + lang, "_blank", "noopener");
      }
    });
    if (!framable()) { button.title = words.newTab; }
    script.parentNode.insertBefore(button, script.nextSibling);
  }

  var tags = document.querySelectorAll("script[data-event]");
  for (var i = 0; i < tags.length; i++) {
    if ((tags[i].getAttribute("src") || "").indexOf(path + "widget.js") >= 0) { mount(tags[i]); }
  }
})();
