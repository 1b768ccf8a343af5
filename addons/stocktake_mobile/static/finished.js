// Finished goods screen of the handheld page (window.StocktakeFinished):
// the running production orders (GET api/production/running); tap one,
// scan or type the finished lot, the bin and the quantity made, and the
// production is finished (POST api/production/output). The rules are the
// server's (state, bin, lot, the production's access rights). It needs the
// production's state of now: online only, never queued. Plain DOM.
(function () {
  'use strict';
  var S;
  var state = {production: null};
  var $ = function (id) { return document.getElementById(id); };

  function open() {
    S = window.Stocktake;
    S.error('');
    select(null);
    S.show('fin-view');
    return load();
  }

  function productName(production) {
    var product = production.product || {};
    return [product.code, product.name].filter(Boolean).join(' ');
  }

  function load() {
    return S.api('GET', 'production/running').then(function (result) {
      if (result.status !== 200) { S.error(S.apiError(result)); return; }
      var list = $('fin-list');
      list.textContent = '';
      if (!result.body.length) {
        var empty = document.createElement('li');
        empty.textContent = S.t('fin_none');
        list.appendChild(empty);
      }
      result.body.forEach(function (production) {
        var li = document.createElement('li');
        var button = document.createElement('button');
        button.className = 'task';
        button.setAttribute('data-production', String(production.id));
        button.textContent = [production.name, productName(production),
          production.quantity + ' ' + (production.unit || ''),
          production.date].filter(Boolean).join(' · ');
        button.addEventListener('click', function () { select(production); });
        li.appendChild(button);
        list.appendChild(li);
      });
    }, function () { S.error(S.t('network')); });
  }

  function select(production) {
    state.production = production;
    $('fin-form').hidden = !production;
    if (!production) { return; }
    $('fin-form').setAttribute('data-production', String(production.id));
    $('fin-form').setAttribute('data-state', production.state);
    $('fin-title').textContent = production.name + ' · ' +
      productName(production);
    $('fin-detail').textContent = S.t('fin_planned') + ' ' +
      production.quantity + ' ' + (production.unit || '');
    $('fin-lot').value = '';
    $('fin-location').value = '';
    $('fin-quantity').value = String(production.quantity);
    $('fin-lot').focus();
  }

  function receive() {
    var production = state.production;
    var quantity = $('fin-quantity').value.trim();
    S.error('');
    if (!production) { return; }
    if (quantity === '') {
      S.error(S.t('fin_need_quantity'));
      $('fin-quantity').focus();
      return;
    }
    var body = {production: production.id, quantity: Number(quantity)};
    var lot = $('fin-lot').value.trim(), bin = $('fin-location').value.trim();
    if (lot) { body.lot = lot; }
    if (bin) { body.location = bin; }
    S.api('POST', 'production/output', body).then(function (result) {
      if (result.status !== 200) {
        S.error(S.apiError(result));
        window.ScanFeedback.refuse();
        return;
      }
      window.ScanFeedback.accept();
      var outputs = result.body.outputs.map(function (move) {
        return [move.lot, move.quantity, move.location].filter(function (v) {
          return v !== null && v !== undefined;
        }).join(' · ');
      });
      S.status(S.t('fin_done') + ': ' + result.body.name + ' — ' +
        outputs.join(', '));
      $('fin-form').setAttribute('data-state', result.body.state);
      $('fin-form').hidden = true;
      return load();
    }, function () { S.error(S.t('network')); });
  }

  window.StocktakeFinished = {open: open};

  document.addEventListener('DOMContentLoaded', function () {
    S = window.Stocktake;
    // Keyboard-wedge scanners type a code then Enter
    $('fin-lot').addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); $('fin-location').focus(); }
    });
    $('fin-location').addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); $('fin-quantity').focus(); }
    });
    $('fin-quantity').addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); receive(); }
    });
    $('fin-receive').addEventListener('click', receive);
    $('fin-reload').addEventListener('click', function () {
      S.error('');
      load();
    });
  });
}());
