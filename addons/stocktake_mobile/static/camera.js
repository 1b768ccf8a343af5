// Camera scanning, one function for every screen (window.StocktakeCamera):
// the browser's own BarcodeDetector where it has one that reads our codes
// (Android Chrome), else the barcode-detector ponyfill (static/
// barcode-detector.js: ZXing-C++ in WebAssembly), which desktop and Linux
// Chromium need. Its reader (static/zxing_reader.wasm) is served by this
// page's server and kept by the service worker: never fetched from the CDN
// the library defaults to, so the camera works offline too. A code read
// fills the field and is entered as a keyboard-wedge scanner enters it
// (Enter on the field: the screen's own next step).
(function () {
  'use strict';
  // Our labels (Code 128 / GS1-128, Code 39, QR, DataMatrix) and the
  // suppliers' retail codes; fewer formats, faster reading
  var FORMATS = ['code_128', 'code_39', 'ean_13', 'ean_8', 'upc_a',
    'itf', 'qr_code', 'data_matrix'];
  var detector = null, current = null;

  function ponyfill() {
    var api = window.BarcodeDetectionAPI;
    if (!api) { return Promise.reject(new Error('no barcode reader')); }
    api.prepareZXingModule({overrides: {locateFile: function (path, prefix) {
      return /\.wasm$/.test(path) ?
        new URL('static/' + path, location.href).href : prefix + path;
    }}});
    return Promise.resolve(new api.BarcodeDetector({formats: FORMATS}));
  }

  // The detector, made once: native when it reads any of our formats
  function make() {
    var Native = window.BarcodeDetector;
    if (!detector) {
      detector = (Native && Native.getSupportedFormats ?
        Native.getSupportedFormats() : Promise.resolve([])).then(
        function (formats) {
          var ours = FORMATS.filter(function (f) {
            return formats.indexOf(f) !== -1;
          });
          return ours.length ? new Native({formats: ours}) : ponyfill();
        }, ponyfill);
      detector.catch(function () { detector = null; });
    }
    return detector;
  }

  function available() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia &&
      (window.BarcodeDetector || window.BarcodeDetectionAPI));
  }

  // Stops the camera open on any screen (leaving a screen, a code read)
  function stop() {
    if (!current) { return; }
    var scan = current;
    current = null;
    scan.stopped = true;
    if (scan.stream) {
      scan.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    scan.video.pause();
    scan.video.srcObject = null;
    scan.video.hidden = true;
    if (scan.button) { scan.button.classList.remove('active'); }
  }

  // Reads codes from the back camera into `video` until one is found:
  // field := the code, then Enter on the field. Pressed again: stopped.
  // onError(error) when there is no camera or it is refused.
  function scanInto(video, field, button, onError) {
    if (current && current.video === video) { stop(); return; }
    stop();
    var scan = {video: video, button: button, stream: null, stopped: false};
    current = scan;
    if (button) { button.classList.add('active'); }
    Promise.all([make(), navigator.mediaDevices.getUserMedia(
      {video: {facingMode: 'environment'}, audio: false})]).then(
      function (found) {
        scan.stream = found[1];
        if (scan.stopped) {  // stopped while the camera was opening
          scan.stream.getTracks().forEach(function (track) { track.stop(); });
          return;
        }
        video.srcObject = scan.stream;
        video.hidden = false;
        var reader = found[0], failures = 0;
        var next = function () {
          if (!scan.stopped) { requestAnimationFrame(read); }
        };
        // A reader that fails on every frame (e.g. its WebAssembly could
        // not be loaded) is reported, not retried for ever
        var failed = function (e) {
          failures += 1;
          if (failures < 10) { next(); return; }
          if (current === scan) { stop(); }
          if (onError) { onError(e); }
        };
        var read = function () {
          if (scan.stopped) { return; }
          // No frame yet: the next one
          if (video.readyState < 2) { next(); return; }
          reader.detect(video).then(function (codes) {
            var code = codes.filter(function (c) { return c.rawValue; })[0];
            if (scan.stopped) { return; }
            failures = 0;
            if (!code) { next(); return; }
            stop();
            field.value = code.rawValue;
            field.focus();
            field.dispatchEvent(new KeyboardEvent('keydown',
              {key: 'Enter', code: 'Enter', bubbles: true, cancelable: true}));
          }, failed);
        };
        return video.play().then(read);
      }).catch(function (e) {
        if (current === scan) { stop(); }
        if (onError) { onError(e); }
      });
  }

  window.StocktakeCamera = {available: available, scanInto: scanInto,
    stop: stop};
}());
