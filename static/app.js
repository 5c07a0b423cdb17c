// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The page's interface text, from the `data-t-*` attributes of <body> (each language's
  // catalogue), with its `{name}` holes filled from `holes`.
  function t(key, holes) {
    var text = document.body.dataset["t" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return holes && name in holes ? String(holes[name]) : whole;
    });
  }

  // What this page's language puts before its paths ("" or "/en").
  function prefix() {
    return document.body.dataset.prefix || "";
  }

  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = t("copied");
      button.classList.add("copied");
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1600);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more we can do */ }
    document.body.removeChild(area);
  }

  function enableCopyButtons(root) {
    root.querySelectorAll("[data-copy], [data-copy-from]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var from = button.getAttribute("data-copy-from");
        var text = from ? document.getElementById(from).value : button.getAttribute("data-copy");
        copyText(text, button);
      });
    });
  }

  // A "复制链接" button beside each heading of an entry.
  function addHeadingButtons() {
    var permalink = document.querySelector(".permalink");
    if (!permalink) { return; }
    var base = permalink.textContent.trim();
    document.querySelectorAll(".entry-body [id] > a.anchor").forEach(function (anchor) {
      var heading = anchor.parentElement;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button heading-copy";
      button.textContent = t("copyLink");
      // The name starts with the words shown, as speech input expects.
      button.setAttribute("aria-label", t("copyLinkTo", { x: heading.textContent.replace(/#$/, "").trim() }));
      button.setAttribute("data-copy", base + "#" + encodeURIComponent(heading.id));
      heading.appendChild(button);
    });
  }

  // Suggestions as you type: an ARIA combobox over the plain GET form.
  function enhanceSearch(form, n) {
    var input = form.querySelector("input[name=q]");
    if (!input) { return; }
    var list = document.createElement("ul");
    list.id = "search-suggestions-" + n;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", t("suggestions"));
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var timer = null, controller = null, active = -1, composing = false, lastQuery = null;

    function options() { return list.querySelectorAll("[role=option]"); }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(i) {
      var items = options();
      if (!items.length) { return; }
      active = (i + items.length) % items.length;
      items.forEach(function (item, k) { item.setAttribute("aria-selected", k === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }
    // No link inside an option (a control inside a control): the option itself opens its URL.
    function option(i, url) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-url", url);
      return li;
    }
    function part(className, html) {
      var span = document.createElement("span");
      span.className = className;
      // The server escapes titles and passages and adds only <mark>.
      span.innerHTML = html;
      return span;
    }
    function render(suggestions, q) {
      list.textContent = "";
      suggestions.forEach(function (s, i) {
        var li = option(i, s.url);
        li.appendChild(part("suggestion-title", s.title_html));
        if (s.category_name) {
          var category = document.createElement("span");
          category.className = "suggestion-category";
          category.textContent = s.category_name;
          li.appendChild(category);
        }
        li.appendChild(part("suggestion-passage", s.snippet_html));
        list.appendChild(li);
      });
      if (suggestions.length) {
        var all = option(suggestions.length, prefix() + "/search?q=" + encodeURIComponent(q));
        all.className = "suggestion-all";
        all.textContent = t("allResults");
        list.appendChild(all);
      }
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    }
    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) { return; }
      lastQuery = q;
      if (!q) { render([], q); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch("/api/suggest?lang=" + encodeURIComponent(document.body.dataset.lang || "") + "&q=" + encodeURIComponent(q), controller ? { signal: controller.signal } : {})
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) { if (input.value.trim() === q) { render(body.suggestions || [], q); } })
        .catch(function () { /* offline or aborted: the form still works */ });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    }

    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; schedule(); });
    input.addEventListener("input", function (e) {
      if (composing || e.isComposing) { return; }
      schedule();
    });
    input.addEventListener("keydown", function (e) {
      // While an input method is composing, Enter picks the candidate: leave it alone.
      if (composing || e.isComposing || e.keyCode === 229) { return; }
      if (e.key === "ArrowDown" && !list.hidden) { e.preventDefault(); highlight(active + 1); }
      else if (e.key === "ArrowUp" && !list.hidden) { e.preventDefault(); highlight(active - 1); }
      // Escape closes the suggestions and keeps the query (a search box would clear itself);
      // with none open, the box's own Escape clears it as usual.
      else if (e.key === "Escape" && !list.hidden) { e.preventDefault(); close(); }
      else if (e.key === "Enter" && active >= 0 && !list.hidden) {
        e.preventDefault();
        window.location.href = options()[active].getAttribute("data-url");
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    list.addEventListener("click", function (e) {
      var option = e.target.closest("[role=option]");
      if (option) { window.location.href = option.getAttribute("data-url"); }
    });
  }

  // A "helpful" vote goes out without leaving the page; "not helpful" goes on as a plain POST
  // to the page that asks what was missing and offers a way out.
  function enhanceFeedback() {
    var form = document.querySelector(".feedback-form");
    if (!form || !window.fetch) { return; }
    form.addEventListener("submit", function (e) {
      var button = e.submitter;
      if (!button || button.value !== "yes") { return; }
      e.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      body.set("helpful", button.value);
      fetch(form.action, { method: "POST", body: body, headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          var section = form.parentElement;
          section.innerHTML = "";
          var h = document.createElement("h2");
          h.id = "feedback-title";
          h.textContent = t("thanks");
          section.appendChild(h);
          var p = document.createElement("p");
          p.textContent = t("thanksBody");
          section.appendChild(p);
        })
        .catch(function () {
          // Fall back to the plain form post (form.submit() does not fire this handler again).
          var choice = document.createElement("input");
          choice.type = "hidden";
          choice.name = "helpful";
          choice.value = button.value;
          form.appendChild(choice);
          form.submit();
        });
    });
  }

  // After answering a wizard step, start at the new question, not at the top of the page
  // (a keyboard reader needed 12 Tabs to reach the first choice). The first step and a
  // step opened from elsewhere keep the page's usual start.
  function focusWizardStep() {
    var heading = document.getElementById("step-title");
    var fromWizard = document.referrer.indexOf(window.location.origin + prefix() + "/wizard/") === 0;
    if (!heading || !fromWizard || !document.querySelector(".trail")) { return; }
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  // The ticket box: a live count of what will be read, and Ctrl+Enter (⌘+Enter) submits.
  function enhanceMatchForm() {
    var text = document.getElementById("match-text");
    var count = document.getElementById("match-count");
    if (!text || !count) { return; }
    var max = parseInt(text.getAttribute("data-max-chars"), 10);
    function update() {
      var n = Array.from(text.value).length;
      var holes = { n: n, max: max, half: max / 2 };
      count.textContent = n <= max ? t("countWhole", holes) : t("countCut", holes);
      count.classList.toggle("over", n > max);
    }
    text.addEventListener("input", update);
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (text.form.requestSubmit) { text.form.requestSubmit(); } else { text.form.submit(); }
      }
    });
    // After a post the box keeps the text and the count says what the server read: left as is
    // until the text changes.
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusWizardStep();
    enhanceMatchForm();
    addHeadingButtons();
    enhanceFeedback();
    enableCopyButtons(document);
    document.querySelectorAll(".search-form").forEach(enhanceSearch);
  });
})();
