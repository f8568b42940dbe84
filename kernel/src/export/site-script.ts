/**
 * The script of exported pages (`_static/site.js`, a file: the pages' CSP runs no inline
 * script). It fits each sandboxed HTML output frame to its content; the frames run nothing
 * themselves, so the page measures them (same origin through `allow-same-origin`). Without
 * script a frame keeps its CSS height and scrolls.
 */
export const SITE_JS = `// seqlab export: fits sandboxed HTML outputs to their content.
(function () {
  'use strict';
  function fit(frame) {
    try {
      var doc = frame.contentDocument;
      if (!doc || !doc.body || doc.URL === 'about:blank') return;
      // The body (a flow root, margins inside) is as tall as the content; the root element
      // would be at least as tall as the frame and never let it shrink.
      var height = Math.ceil(doc.body.getBoundingClientRect().height);
      if (height > 0) frame.style.height = height + 'px';
    } catch (e) {
      // A frame the page may not read keeps its CSS height.
    }
  }
  function start() {
    var frames = Array.prototype.slice.call(document.querySelectorAll('iframe.html-output'));
    frames.forEach(function (frame) {
      frame.addEventListener('load', function () { fit(frame); });
      fit(frame);
    });
    var pending = 0;
    window.addEventListener('resize', function () {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () { frames.forEach(fit); });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
