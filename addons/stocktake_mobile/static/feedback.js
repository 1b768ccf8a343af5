// Sound and vibration on each answer, so that a clerk knows it without
// looking at the screen: one short high beep and one pulse when the scans
// of a round are accepted, two low beeps and a long double buzz when one is
// refused.  Web Audio and the Vibration API, where the device has them.
(function () {
  'use strict';
  var PATTERNS = {
    accept: {buzz: [60], tones: [[1320, 0, 0.09]]},
    refuse: {buzz: [200, 80, 200], tones: [[220, 0, 0.16], [220, 0.22, 0.16]]}
  };
  var audio = null;

  function context() {
    var Audio = window.AudioContext || window.webkitAudioContext;
    if (!audio && Audio) { audio = new Audio(); }
    return audio;
  }

  function tone(ctx, frequency, at, length) {
    var oscillator = ctx.createOscillator(), gain = ctx.createGain();
    oscillator.type = 'square';
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.15;
    oscillator.connect(gain);
    gain.connect(ctx.destination);
    oscillator.start(ctx.currentTime + at);
    oscillator.stop(ctx.currentTime + at + length);
  }

  function play(kind) {
    var pattern = PATTERNS[kind];
    if (navigator.vibrate) { navigator.vibrate(pattern.buzz); }
    var ctx = context();
    if (!ctx) { return; }
    if (ctx.state === 'suspended') { ctx.resume(); }
    pattern.tones.forEach(function (t) { tone(ctx, t[0], t[1], t[2]); });
  }

  // A page may play sound only after a gesture: the first tap or key
  // (a keyboard-wedge scan is one) opens the audio context
  function unlock() {
    var ctx = context();
    if (ctx && ctx.state === 'suspended') { ctx.resume(); }
  }
  document.addEventListener('pointerdown', unlock, {once: true});
  document.addEventListener('keydown', unlock, {once: true});

  window.ScanFeedback = {
    accept: function () { play('accept'); },
    refuse: function () { play('refuse'); },
    // The answer of a round of the queue (stocktake.js): refused when any
    // scan was, accepted when some were sent
    round: function (report) {
      var refused = report.refused.length || report.sent.some(function (s) {
        return s.document && !s.accepted;
      });
      if (refused) { play('refuse'); } else if (report.sent.length) { play('accept'); }
    }
  };
}());
