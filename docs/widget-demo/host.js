// The host site's own script: it sends the ticket itself (as ticket tools do, without leaving
// the page) and tells the widget, which counts a ticket sent after suggestions were shown.
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('ticket').addEventListener('submit', function (e) {
    e.preventDefault();
    if (window.WendaoWidget) window.WendaoWidget.submitted();
    document.getElementById('sent').hidden = false;
  });
});
