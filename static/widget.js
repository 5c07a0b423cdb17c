// wendao's help widget: one <script> tag on a ticket form on any site.
//
//   <script src="https://help.example.com/static/widget.js" data-for="#ticket-body"
//           data-subject="#ticket-subject" data-open="panel" async></script>
//
// As the person types, it asks the help center's /api/match for the entries that answer the
// ticket and shows up to three under the field, in a Shadow DOM (the host's CSS does not reach
// in, ours does not leak out). It reports what happened to POST /api/deflection; the host calls
// WendaoWidget.submitted() from its own submit handler when the ticket is sent. No framework,
// no eval, no inline style or <style> element: a strict CSP needs only this origin in
// script-src and connect-src. Contract: docs/widget.md.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.WendaoWidget) return;
  var origin = new URL(script.src, location.href).origin;
  var options = script.dataset;

  var TEXT = {
    zh: {
      region: '可能的答案',
      found: function (n) { return '找到 ' + n + ' 篇可能解答你问题的文章'; },
      heading: '提交之前，这些文章也许能解决你的问题',
      section: '相关段落：',
      read: '阅读',
      newTab: '在新标签页打开',
      close: '关闭',
      loading: '正在打开…',
      failed: '文章没能打开，请在新标签页查看。',
      asked: '这篇文章解决你的问题了吗？',
      resolved: '这解决了我的问题',
      still: '还是要提交',
      thanks: '太好了！不用提交工单了。',
      back: '好的，请继续填写工单。'
    },
    en: {
      region: 'Possible answers',
      found: function (n) { return n + (n === 1 ? ' article' : ' articles') + ' may answer your question'; },
      heading: 'Before you send, these articles may solve it',
      section: 'Section: ',
      read: 'Read',
      newTab: 'Open in a new tab',
      close: 'Close',
      loading: 'Opening…',
      failed: 'The article could not be opened here; open it in a new tab.',
      asked: 'Did this article solve your problem?',
      resolved: 'This solved my problem',
      still: 'I still need to send it',
      thanks: 'Great! No need to send a ticket.',
      back: 'All right: please go on with your ticket.'
    }
  };
  var lang = (options.lang || document.documentElement.lang || 'zh').toLowerCase();
  var t = lang.indexOf('en') === 0 ? TEXT.en : TEXT.zh;

  var STYLE =
    // The host's rules may reach the host element, even with !important, and what it sets
    // there is inherited: so everything starts again from .w, which no outer rule matches.
    ':host{display:block;margin:.5em 0}' +
    '.w{all:initial;display:block;font:15px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2328;text-align:left;direction:ltr}' +
    '*{box-sizing:border-box}' +
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
    '.box{border:1px solid #d0d7de;border-radius:8px;background:#f6f8fa;padding:.6em .8em}' +
    '.box[hidden],.panel[hidden],[hidden]{display:none}' +
    'h2{font-size:1em;margin:0 0 .4em;font-weight:600}' +
    'ol{list-style:none;margin:0;padding:0}' +
    'li{padding:.45em 0;border-top:1px solid #d0d7de}li:first-child{border-top:0}' +
    '.title{font:inherit;font-weight:600;color:#0a58ca;background:none;border:0;padding:0;margin:0;text-align:left;cursor:pointer;text-decoration:underline;text-underline-offset:2px}' +
    'a{color:#0a58ca}' +
    '.section,.summary{display:block;font-size:.9em;color:#4a5360;margin-top:.15em}' +
    '.panel{margin-top:.6em;border:1px solid #d0d7de;border-radius:8px;background:#fff;padding:.8em;max-height:70vh;overflow:auto}' +
    '.panel h3{font-size:1.1em;margin:0 0 .5em}.panel h3:focus{outline:2px solid #0a58ca;outline-offset:2px}' +
    '.body img{max-width:100%;height:auto}.body pre{overflow:auto;background:#f6f8fa;padding:.5em}' +
    '.body mark{background:#fff3b0}' +
    '.ask{margin-top:.8em;padding-top:.6em;border-top:1px solid #d0d7de}' +
    '.ask p{margin:0 0 .4em}' +
    'button.act{font:inherit;min-height:44px;padding:.4em .9em;margin:.2em .4em .2em 0;border-radius:6px;border:1px solid #0a58ca;background:#fff;color:#0a58ca;cursor:pointer}' +
    'button.act.primary{background:#0a58ca;color:#fff}' +
    'button:focus-visible,a:focus-visible{outline:2px solid #0a58ca;outline-offset:2px}' +
    '.bar{display:flex;justify-content:space-between;gap:.5em;flex-wrap:wrap;margin-bottom:.3em}' +
    '.note{margin:.4em 0 0;font-weight:600}' +
    '@media (prefers-color-scheme:dark){.w{color:#e6edf3}.box{background:#161b22;border-color:#30363d}' +
    '.panel{background:#0d1117;border-color:#30363d}li,.ask{border-color:#30363d}.section,.summary{color:#9da7b3}' +
    '.title,a{color:#6cb6ff}button.act{background:#0d1117;color:#6cb6ff;border-color:#6cb6ff}' +
    'button.act.primary{background:#6cb6ff;color:#0d1117}.body pre{background:#161b22}.body mark{background:#6b5900;color:#fff}}';

  // What this form already reported, so that each event counts the form once.
  var sent = {};
  var shown = [];
  var opened = [];
  var submittedOnce = false;

  function report(event, entries) {
    entries = entries.slice(0, 5);
    if (!entries.length) return;
    var body = JSON.stringify({ event: event, entries: entries, more: !!sent[event] });
    sent[event] = true;
    var url = origin + '/api/deflection';
    // text/plain: a simple request, sent to another origin without a preflight, and on its
    // way even if the page is leaving.
    var blob = new Blob([body], { type: 'text/plain;charset=UTF-8' });
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, blob))) {
      fetch(url, { method: 'POST', body: body, mode: 'cors', credentials: 'omit', keepalive: true,
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }).catch(function () {});
    }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function absolute(url) { return new URL(url, origin + '/').href; }

  // How much the person has written: Chinese characters count half a word each.
  function enoughWords(text) {
    var han = (text.match(/[\u3400-\u9fff\uf900-\ufaff]/g) || []).length;
    var words = (text.replace(/[\u3400-\u9fff\uf900-\ufaff]/g, ' ').match(/[A-Za-z0-9_.]{2,}/g) || []).length;
    return han / 2 + words >= 3;
  }

  function start(field) {
    var subject = options.subject ? document.querySelector(options.subject) : null;
    var host = el('div', { className: 'wendao-widget' });
    field.insertAdjacentElement('afterend', host);
    var root = host.attachShadow({ mode: 'open' });
    if ('adoptedStyleSheets' in root) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      root.adoptedStyleSheets = [sheet];
    }
    var status = el('p', { role: 'status', className: 'sr' });
    var list = el('ol');
    var note = el('p', { className: 'note', role: 'status' });
    note.hidden = true;
    var box = el('section', { className: 'box', 'aria-label': t.region }, [
      el('h2', { text: t.heading }), list, note
    ]);
    box.hidden = true;
    var panel = el('section', { className: 'panel', role: 'region' });
    panel.hidden = true;
    root.appendChild(el('div', { className: 'w' }, [status, box]));
    box.appendChild(panel);

    var asked = '';
    var timer = null;
    var pending = null;

    function textNow() {
      return ((subject ? subject.value + '\n' : '') + field.value).trim();
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(ask, 500);
    }

    function ask() {
      var text = textNow();
      if (text === asked || !enoughWords(text)) return;
      asked = text;
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(origin + '/api/match', {
        method: 'POST', mode: 'cors', credentials: 'omit', signal: pending.signal,
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ text: text })
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          // Only entries about the message: a suggestion nobody asked for must be right.
          if (answer) show(answer.matches.filter(function (m) { return m.answers; }).slice(0, 3));
        })
        .catch(function () {});
    }

    function show(matches) {
      if (!panel.hidden && matches.every(function (m) { return m.id !== panel.dataset.id; })) {
        closePanel(false);
      }
      list.textContent = '';
      if (!matches.length) { box.hidden = true; return; }
      var fresh = [];
      matches.forEach(function (m) {
        if (shown.indexOf(m.id) < 0) { shown.push(m.id); fresh.push(m.id); }
        list.appendChild(item(m));
      });
      box.hidden = false;
      status.textContent = t.found(matches.length);
      if (fresh.length) report('suggested', fresh);
    }

    function item(m) {
      var url = absolute(m.section_url || m.url);
      var title;
      if (options.open === 'tab') {
        title = el('a', { className: 'title', lang: m.lang, href: url, target: '_blank', rel: 'noopener', text: m.title });
        title.addEventListener('click', function () { openedOne(m.id); askAfterTab(m); });
      } else {
        title = el('button', { type: 'button', className: 'title', lang: m.lang, 'aria-expanded': 'false', text: m.title });
        title.addEventListener('click', function () { openPanel(m, title); });
      }
      var parts = [title];
      if (m.section_title) parts.push(el('span', { className: 'section', text: t.section + m.section_title }));
      if (m.summary) parts.push(el('span', { className: 'summary', lang: m.lang, text: m.summary }));
      return el('li', { 'data-id': m.id }, parts);
    }

    function openedOne(id) {
      if (opened.indexOf(id) < 0) { opened.push(id); report('opened', [id]); }
    }

    // The question, with its two answers, for the entry `m`.
    function question(m) {
      var yes = el('button', { type: 'button', className: 'act primary', text: t.resolved });
      var no = el('button', { type: 'button', className: 'act', text: t.still });
      yes.addEventListener('click', function () {
        report('resolved', [m.id]);
        closePanel(false);
        tell(t.thanks);
      });
      no.addEventListener('click', function () {
        closePanel(false);
        tell(t.back);
        field.focus();
      });
      return el('div', { className: 'ask' }, [el('p', { text: t.asked }), yes, no]);
    }

    function tell(text) {
      note.textContent = text;
      note.hidden = false;
    }

    function askAfterTab(m) {
      panel.textContent = '';
      panel.dataset.id = m.id;
      panel.setAttribute('aria-label', m.title);
      panel.appendChild(question(m));
      panel.hidden = false;
    }

    function openPanel(m, button) {
      openedOne(m.id);
      note.hidden = true;
      list.querySelectorAll('[aria-expanded]').forEach(function (b) { b.setAttribute('aria-expanded', 'false'); });
      button.setAttribute('aria-expanded', 'true');
      panel.textContent = '';
      panel.dataset.id = m.id;
      panel.setAttribute('aria-label', m.title);
      panel.hidden = false;
      // The entry is read in the language it was matched in, which may not be the page's.
      var heading = el('h3', { tabindex: '-1', lang: m.lang, text: m.title });
      var close = el('button', { type: 'button', className: 'act', text: t.close });
      close.addEventListener('click', function () { closePanel(true); });
      var tab = el('a', { href: absolute(m.section_url || m.url), target: '_blank', rel: 'noopener', text: t.newTab });
      var body = el('div', { className: 'body', text: t.loading });
      panel.appendChild(el('div', { className: 'bar' }, [tab, close]));
      panel.appendChild(heading);
      panel.appendChild(body);
      panel.appendChild(question(m));
      heading.focus();
      var read = origin + '/api/entries/' + encodeURIComponent(m.id) + '?lang=' + encodeURIComponent(m.lang);
      fetch(read, { mode: 'cors', credentials: 'omit' })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (entry) {
          if (panel.dataset.id !== m.id) return;
          // The entry's HTML is sanitised by the help center; its links point there.
          var html = new DOMParser().parseFromString(entry.html, 'text/html');
          html.querySelectorAll('a[href]').forEach(function (a) {
            var href = a.getAttribute('href');
            if (href.charAt(0) === '#') return;
            a.setAttribute('href', absolute(href));
            a.setAttribute('target', '_blank');
            a.setAttribute('rel', 'noopener');
          });
          html.querySelectorAll('img[src]').forEach(function (img) {
            img.setAttribute('src', absolute(img.getAttribute('src')));
          });
          body.textContent = '';
          body.lang = m.lang;
          Array.prototype.slice.call(html.body.childNodes).forEach(function (n) {
            body.appendChild(document.adoptNode(n));
          });
          var anchor = m.section_url && m.section_url.split('#')[1];
          var section = anchor && root.getElementById(anchor);
          if (section) section.scrollIntoView({ block: 'nearest' });
        })
        .catch(function () { body.textContent = t.failed; });
    }

    function closePanel(refocus) {
      var id = panel.dataset.id;
      panel.hidden = true;
      panel.textContent = '';
      delete panel.dataset.id;
      var button = id && list.querySelector('li[data-id="' + CSS.escape(id) + '"] button');
      if (button) {
        button.setAttribute('aria-expanded', 'false');
        if (refocus) button.focus();
      }
    }

    root.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !panel.hidden) closePanel(true);
    });
    field.addEventListener('input', schedule);
    if (subject) subject.addEventListener('input', schedule);
    if (enoughWords(textNow())) schedule();
  }

  // The ticket was sent: counted when suggestions had been shown (else none was "anyway").
  function submitted() {
    if (submittedOnce || !shown.length) return;
    submittedOnce = true;
    var entries = opened.concat(shown.filter(function (id) { return opened.indexOf(id) < 0; }));
    report('submitted_anyway', entries);
  }

  window.WendaoWidget = { submitted: submitted };

  function find() {
    var field = options['for'] && document.querySelector(options['for']);
    if (field) start(field);
    else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', find);
    else if (window.console) console.warn('wendao widget: no field matches data-for="' + (options['for'] || '') + '"');
  }
  find();
})();
