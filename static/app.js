// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = "已复制";
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
      button.textContent = "复制链接";
      button.setAttribute("aria-label", "复制本节链接：" + heading.textContent.replace(/#$/, "").trim());
      button.setAttribute("data-copy", base + "#" + encodeURIComponent(heading.id));
      heading.appendChild(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    addHeadingButtons();
    enableCopyButtons(document);
  });
})();
