/*
 * seqlab site: makes the page cross-origin isolated where the static host does not send the
 * headers (COOP/COEP) itself. Isolation gives the kernel shared memory: Stop then interrupts a
 * running loop and keeps every definition, input() works, and the engine may use several
 * threads. It registers seqlab-isolation-sw.js, a service worker that adds the headers to every
 * response of the site, and reloads the page once so that the worker serves it.
 * `seqlab serve` sends the headers itself: then this script does nothing.
 */
(function () {
  'use strict';
  if (window.crossOriginIsolated || !window.isSecureContext || !('serviceWorker' in navigator)) return;
  var KEY = 'seqlab-isolation-reloaded';
  var swUrl = new URL('seqlab-isolation-sw.js', document.currentScript.src);
  var scope = new URL('./', swUrl).pathname;
  navigator.serviceWorker.register(swUrl, { scope: scope }).then(
    function (registration) {
      var reloadOnce = function () {
        // Once per tab: if the headers still do not isolate the page (a browser that refuses),
        // the site keeps working without isolation instead of reloading forever.
        if (window.sessionStorage.getItem(KEY)) return;
        window.sessionStorage.setItem(KEY, '1');
        window.location.reload();
      };
      if (navigator.serviceWorker.controller) {
        reloadOnce();
        return;
      }
      var worker = registration.installing || registration.waiting || registration.active;
      if (worker && worker.state === 'activated') {
        reloadOnce();
        return;
      }
      if (worker) {
        worker.addEventListener('statechange', function () {
          if (worker.state === 'activated') reloadOnce();
        });
      }
    },
    function (error) {
      console.warn('seqlab: the service worker that isolates the page could not be registered (' + error + '); Stop restarts the kernel instead of interrupting it');
    }
  );
})();
