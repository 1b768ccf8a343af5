// QC screen of the handheld page (window.StocktakeQC), for the QC role:
// the lots on QC hold (GET api/qc/lots); scan or tap a lot (POST api/qc/lot)
// and decide it: pass, fail, or a partial pass of a quantity, with a reason
// (POST api/qc/decide). The rules are the lot's QC workflow on the server
// (QC group, four eyes, pending inspections, quantities). A decision needs
// the lot's state of now: online only, never queued. Plain DOM, textContent.
(function () {
  'use strict';
  var S;
  var state = {lot: null};
  var $ = function (id) { return document.getElementById(id); };

  function open() {
    S = window.Stocktake;
    S.error('');
    select(null);
    S.show('qc-view');
    $('qc-code').value = '';
    $('qc-code').focus();
    return loadLots();
  }

  function productName(lot) {
    return [lot.product.code, lot.product.name].filter(Boolean).join(' ');
  }

  function loadLots() {
    return S.api('GET', 'qc/lots').then(function (result) {
      if (result.status !== 200) { S.error(S.apiError(result)); return; }
      var list = $('qc-lots');
      list.textContent = '';
      if (!result.body.length) {
        var empty = document.createElement('li');
        empty.textContent = S.t('qc_none_held');
        list.appendChild(empty);
      }
      result.body.forEach(function (lot) {
        var li = document.createElement('li');
        var button = document.createElement('button');
        button.className = 'task';
        button.setAttribute('data-lot', lot.number);
        button.textContent = [lot.number, productName(lot),
          lot.held_quantity + ' ' + lot.unit, lot.hold_date]
          .filter(Boolean).join(' · ');
        button.addEventListener('click', function () { select(lot); });
        li.appendChild(button);
        list.appendChild(li);
      });
    }, function () { S.error(S.t('network')); });
  }

  // The lot being decided (null: none)
  function select(lot) {
    state.lot = lot;
    $('qc-lot').hidden = !lot;
    if (!lot) { return; }
    $('qc-lot').setAttribute('data-lot', lot.number);
    $('qc-lot').setAttribute('data-state', lot.qc_state);
    $('qc-lot-title').textContent = lot.number + ' · ' + productName(lot);
    var detail = [S.t('qc_' + (lot.qc_state === 'none' ? 'not_held' :
      lot.qc_state))];
    if (lot.qc_state === 'hold') {
      detail.push(S.t('qc_held_quantity') + ' ' + lot.held_quantity + ' ' +
        lot.unit);
    }
    if (lot.expiration_date) {
      detail.push(S.t('expires') + ' ' + lot.expiration_date);
    }
    if (lot.decision_reason) { detail.push(lot.decision_reason); }
    $('qc-lot-detail').textContent = detail.join(' · ');
    $('qc-reason').value = '';
    $('qc-quantity').value = '';
  }

  function find() {
    var code = $('qc-code').value.trim();
    S.error('');
    if (!code) { $('qc-code').focus(); return; }
    S.api('POST', 'qc/lot', {code: code}).then(function (result) {
      $('qc-code').value = '';
      if (result.status !== 200) {
        select(null);
        S.error(S.apiError(result));
        $('qc-code').focus();
        return;
      }
      select(result.body);
      $('qc-reason').focus();
    }, function () { S.error(S.t('network')); });
  }

  function decide(decision) {
    var lot = state.lot;
    var reason = $('qc-reason').value.trim();
    var quantity = $('qc-quantity').value.trim();
    S.error('');
    if (!lot) { return; }
    if (decision !== 'pass' && !reason) {
      S.error(S.t('qc_need_reason'));
      $('qc-reason').focus();
      return;
    }
    if (decision === 'partial' && quantity === '') {
      S.error(S.t('qc_need_quantity'));
      $('qc-quantity').focus();
      return;
    }
    var body = {lot: lot.id, decision: decision};
    if (reason) { body.reason = reason; }
    if (decision === 'partial') { body.quantity = Number(quantity); }
    S.api('POST', 'qc/decide', body).then(function (result) {
      if (result.status !== 200) {
        S.error(S.apiError(result));
        window.ScanFeedback.refuse();
        return;
      }
      window.ScanFeedback.accept();
      select(result.body);
      S.status(S.t('qc_decided_' + result.body.qc_state) + ': ' +
        result.body.number);
      $('qc-code').focus();
      return loadLots();
    }, function () { S.error(S.t('network')); });
  }

  window.StocktakeQC = {open: open};

  document.addEventListener('DOMContentLoaded', function () {
    S = window.Stocktake;
    // Keyboard-wedge scanners type a code then Enter
    $('qc-code').addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); find(); }
    });
    $('qc-pass').addEventListener('click', function () { decide('pass'); });
    $('qc-fail').addEventListener('click', function () { decide('fail'); });
    $('qc-partial').addEventListener('click', function () {
      decide('partial');
    });
    $('qc-reload').addEventListener('click', function () {
      S.error('');
      loadLots();
    });
  });
}());
