// Look up screen of the counting page: scan a bin -> what is in it; scan a
// material or a lot -> where it is, with QC state and expiry
// (POST api/lookup). Plain DOM, textContent only.
(function () {
  'use strict';
  var S = window.Stocktake;
  var $ = function (id) { return document.getElementById(id); };
  var back = 'tasks-view';

  function open() {
    // Back to the screen the look-up was opened from
    back = ['task-view', 'tasks-view', 'home-view'].filter(function (v) {
      return !$(v).hidden;
    })[0] || 'tasks-view';
    S.error('');
    $('lookup-code').value = '';
    $('lookup-title').textContent = '';
    $('lookup-lines').textContent = '';
    S.show('lookup-view');
    $('lookup-code').focus();
  }

  function name(record) {
    return [record.code, record.name].filter(Boolean).join(' ');
  }

  function describe(line, where) {
    var parts = [where];
    if (line.lot) { parts.push(line.lot); }
    var text = parts.join(' · ') + ' — ' + (line.counting ?
      S.t('being_counted') : line.quantity + ' ' + line.unit);
    if (line.qc_state && line.qc_state !== 'none') {
      text += ' · ' + S.t('qc_' + line.qc_state);
    }
    if (line.expiration_date) {
      text += ' · ' + S.t('expires') + ' ' + line.expiration_date;
    }
    return text;
  }

  function render(body) {
    var list = $('lookup-lines'), isBin = body.kind === 'location';
    $('lookup-title').textContent = isBin ? name(body.location) :
      name(body.product) + (body.lot ? ' · ' + body.lot : '');
    list.textContent = '';
    if (isBin && body.counting) { S.error(S.t('lookup_counting')); }
    if (!body.lines.length) {
      var empty = document.createElement('li');
      empty.textContent = S.t(isBin ? 'lookup_empty' : 'lookup_nowhere');
      list.appendChild(empty);
    }
    body.lines.forEach(function (line) {
      var li = document.createElement('li');
      li.className = line.qc_state || '';
      li.textContent = describe(line,
        isBin ? name(line.product) : name(line.location));
      list.appendChild(li);
    });
  }

  function lookup() {
    var code = $('lookup-code').value.trim();
    S.error('');
    if (!code) { $('lookup-code').focus(); return; }
    S.api('POST', 'lookup', {code: code}).then(function (result) {
      $('lookup-code').value = '';
      $('lookup-code').focus();
      if (result.status !== 200) {
        $('lookup-title').textContent = '';
        $('lookup-lines').textContent = '';
        S.error(S.apiError(result));
        return;
      }
      render(result.body);
    }, function () { S.error(S.t('network')); });
  }

  // The home screen opens it too (home.js)
  window.StocktakeLookup = {open: open};

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('.lookup-open').forEach(function (button) {
      button.addEventListener('click', open);
    });
    $('lookup-go').addEventListener('click', lookup);
    $('lookup-code').addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); lookup(); }
    });
    $('lookup-back').addEventListener('click', function () {
      S.error('');
      S.show(back);
    });
  });
}());
