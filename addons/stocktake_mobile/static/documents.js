// Scanning a document on the handheld page (window.StocktakeDocs): pick an
// open document of a kind (receipt, issue, delivery, transfer, put-away),
// see its expected lines with scanned and remaining quantities, scan, then
// finish it. The rules are the server's scanning API (GET api/scan/documents,
// GET api/scan/document, POST api/scan/scan, POST api/scan/complete): a
// refused scan is answered with its reason and shown on its own line. Scans
// wait in the same offline queue as counts (queue.js), each with its client
// key. Plain DOM, textContent only.
(function () {
  'use strict';
  var S, Q = window.StocktakeQueue;
  var DOC = 'stocktake.doc';  // the document open on this device (offline)
  var state = {kind: null, doc: null, confirm: null, returning: false,
    // The scan lines drawn: client_key -> li, and how many of each kind
    drawn: new Map(), counts: {queued: 0, accepted: 0, refused: 0},
    refreshing: null};
  // The document's lines are read again once the scans pause this long: a
  // burst of scans (a pallet of labels) reads them once, and the read never
  // slows the next scan's answer
  var REFRESH_MS = 300;
  // Accepted scans shown (every queued or refused one is)
  var SHOWN_ACCEPTED = 50;
  var $ = function (id) { return document.getElementById(id); };

  // The queue's key of a document's scans (counts use the task id)
  function docKey(doc) { return 'doc:' + doc.document + '|' + doc.kind; }

  function item(text, cls) {
    var li = document.createElement('li');
    li.textContent = text;
    if (cls) { li.className = cls; }
    return li;
  }

  function openKind(kind) {
    S = window.Stocktake;
    state.kind = kind;
    state.doc = null;
    $('finish-confirm').hidden = true;
    localStorage.removeItem(DOC);
    $('docs-title').textContent = S.t('flow_' + kind);
    return S.api('GET', 'scan/documents?kind=' + encodeURIComponent(kind))
      .then(function (result) {
        if (result.status !== 200) { S.error(S.apiError(result)); return; }
        var list = $('documents');
        list.textContent = '';
        if (!result.body.length) { list.appendChild(item(S.t('no_documents'))); }
        result.body.forEach(function (doc) {
          var li = document.createElement('li');
          var button = document.createElement('button');
          button.className = 'task';
          button.setAttribute('data-document', doc.document);
          button.textContent = [doc.name, doc.reference, doc.detail, doc.date]
            .filter(Boolean).join(' · ');
          button.addEventListener('click', function () {
            openDocument(doc.document, kind);
          });
          li.appendChild(button);
          list.appendChild(li);
        });
        S.show('docs-view');
      }, function () { S.error(S.t('network')); });
  }

  function openDocument(reference, kind) {
    S.error('');
    return S.api('GET', 'scan/document?document=' +
      encodeURIComponent(reference) + '&kind=' + encodeURIComponent(kind))
      .then(function (result) {
        if (result.status !== 200) { S.error(S.apiError(result)); return; }
        showDocument(result.body);
        $('doc-code').focus();
      }, function () { S.error(S.t('network')); });
  }

  // linesOnly: the same document read again after its scans (its scan
  // lines were drawn as they were answered: not drawn again)
  function showDocument(doc, linesOnly) {
    if (!state.doc || state.doc.document !== doc.document) {
      setReturning(false);
      linesOnly = false;
    }
    state.doc = doc;
    state.kind = doc.kind;
    doc.id = docKey(doc);
    localStorage.setItem(DOC, doc.id);
    Q.saveTask(doc);
    if (linesOnly) { renderLines(); } else { render(); }
    S.show('doc-view');
  }

  // Offline: the document as last loaded on this device
  function resume() {
    S = window.Stocktake;
    var key = localStorage.getItem(DOC);
    if (!key) { return; }
    Q.task(key).then(function (doc) {
      if (doc) { state.doc = doc; state.kind = doc.kind; render();
        S.show('doc-view'); }
    }, function () {});
  }

  function lineText(line) {
    return [line.location ? line.location.code || line.location.name : '',
      [line.product.code, line.product.name].filter(Boolean).join(' '),
      line.lot].filter(Boolean).join(' · ') + ' — ' + S.t('scanned') + ' ' +
      line.scanned + ' / ' + line.quantity + ' ' + line.unit + ' · ' +
      S.t('remaining') + ' ' + line.remaining + proposedText(line) +
      picksText(line);
  }

  // Delivery: the lots and bins to pick, the first to expire first (FEFO,
  // then the first received)
  function picksText(line) {
    if (!line.picks || !line.picks.length) { return ''; }
    return ' → ' + S.t('pick_from') + ' ' + line.picks.map(function (pick) {
      return pick.lot + ' @ ' + (pick.location.code || pick.location.name) +
        ' ×' + pick.quantity + (pick.expiration_date ?
          ' (' + S.t('expires') + ' ' + pick.expiration_date + ')' : '');
    }).join(', ');
  }

  // Put-away: the bin the server proposes (fixed bin, zone, last bin)
  function proposedText(line) {
    var bin = line.proposed && line.proposed.location;
    if (!bin) { return ''; }
    return ' → ' + S.t('put_to') + ' ' + (bin.code || bin.name) + ' (' +
      S.t('putaway_' + line.proposed.reason) + ')';
  }

  function render() {
    var doc = state.doc;
    $('doc-name').textContent = S.t('flow_' + doc.kind) + ': ' + doc.name;
    $('doc-detail').textContent = [doc.reference, doc.detail]
      .filter(Boolean).join(' · ');
    $('doc-return').hidden = doc.kind !== 'issue';
    renderLines();
    renderScans();
  }

  // Each line in place when the same lines come back (stocktake.js)
  function renderLines() {
    S.drawList($('doc-lines'), 'data-move', state.doc.lines.map(
      function (line) {
        return {key: String(line.move), text: lineText(line),
          cls: line.remaining > 0 ? '' : 'done', attrs: {
            'data-proposed': line.proposed && line.proposed.location ?
              line.proposed.location.code || '' : null,
            'data-pick': line.picks && line.picks.length ?
              line.picks[0].lot : null}};
      }));
  }

  // A scan's state on the screen: queued, accepted, or refused (by the
  // scan rules, answered 200, or by the API, answered 4xx)
  function shown(scan) {
    if (scan.state === 'sent') { return scan.accepted ? 'accepted' : 'refused'; }
    return scan.state;
  }

  function scanText(scan, kind) {
    return (scan.returning ? '↩ ' + S.t('doc_returned') + ' ' : '') +
      scan.code + ' × ' + scan.quantity + (scan.lot ? ' · ' + scan.lot : '') +
      ' — ' + S.t(kind === 'queued' && !S.mine(scan) ? 'scan_other_user' :
        'scan_' + kind) + (scan.message ? ': ' + scan.message : '');
  }

  function showCounts() {
    $('doc-queue').textContent = String(state.counts.queued);
    $('doc-accepted').textContent = String(state.counts.accepted);
    $('doc-refused').textContent = String(state.counts.refused);
  }

  // Every scan of the document (the queue's copy in memory), latest first
  function renderScans() {
    var doc = state.doc;
    if (!doc) { return; }
    var list = $('doc-scans'), counts = {queued: 0, accepted: 0, refused: 0};
    var drawn = new Map(), shownAccepted = 0;
    list.textContent = '';
    Q.forTask(doc.id).forEach(function (scan) {
      var kind = shown(scan);
      counts[kind] += 1;
      if (kind === 'accepted' && ++shownAccepted > SHOWN_ACCEPTED) { return; }
      var li = item(scanText(scan, kind), kind);
      li.setAttribute('data-key', scan.client_key);
      drawn.set(scan.client_key, li);
      list.appendChild(li);
    });
    state.drawn = drawn;
    state.counts = counts;
    showCounts();
  }

  // One scan, new or answered: its own line only (a scan is answered once)
  function drawScan(scan) {
    var list = $('doc-scans'), kind = shown(scan);
    var li = state.drawn.get(scan.client_key);
    if (li) {
      state.counts[li.className] -= 1;
      li.className = kind;
      li.textContent = scanText(scan, kind);
    } else {
      li = item(scanText(scan, kind), kind);
      li.setAttribute('data-key', scan.client_key);
      state.drawn.set(scan.client_key, li);
      list.insertBefore(li, list.firstChild);
    }
    state.counts[kind] += 1;
    if (kind === 'accepted') {
      // The oldest accepted line beyond those shown (the list is latest
      // first, and accepted is a scan's last state)
      var accepted = list.getElementsByClassName('accepted');
      if (accepted.length > SHOWN_ACCEPTED) {
        var oldest = accepted[accepted.length - 1];
        state.drawn.delete(oldest.getAttribute('data-key'));
        list.removeChild(oldest);
      }
    }
    showCounts();
  }

  function record() {
    S.error('');
    var code = $('doc-code').value.trim();
    var quantity = $('doc-quantity').value.trim();
    var lot = $('doc-lot').value.trim(), bin = $('doc-location').value.trim();
    if (!code) { S.error(S.t('need_code')); $('doc-code').focus(); return; }
    var doc = state.doc;
    $('doc-code').value = '';
    $('doc-lot').value = '';
    $('doc-quantity').value = '';
    $('doc-code').focus();
    var returning = state.returning;
    setReturning(false);
    // Sent, stored and shown at once (queue.js)
    var added = Q.add({task: doc.id, document: doc.document, kind: doc.kind,
      client_key: S.newKey(), location: bin, code: code, lot: lot,
      quantity: quantity === '' ? 1 : Number(quantity), returning: returning,
      device: navigator.userAgent.slice(0, 60), owner: S.owner()});
    S.flush();
    added.stored.catch(function () { S.error(S.t('storage')); });
    drawScan(added.item);
  }

  // A scan answered (stocktake.js, as each answer comes)
  function answered(scan) {
    if (state.doc && scan.task === state.doc.id && !$('doc-view').hidden) {
      drawScan(scan);
    }
  }

  // Issue to production: the next scan returns unused material to the bin
  // scanned instead (sent to api/scan/return by the queue)
  function setReturning(on) {
    state.returning = !!on;
    $('doc-return').setAttribute('aria-pressed', String(state.returning));
    $('doc-return').className = state.returning ? 'active' : '';
  }

  // The queue is empty again (stocktake.js): the scans were drawn as they
  // were answered; the last one's message, then the document's lines are
  // read again once the scans pause
  function flushed(report) {
    var doc = state.doc;
    if (!doc || $('doc-view').hidden) { return; }
    var mine = report.sent.concat(report.refused).filter(function (scan) {
      return scan.task === doc.id;
    });
    if (!mine.length) { return; }
    var last = mine[mine.length - 1];
    if (shown(last) === 'refused') {
      S.error(last.message || S.t('scan_refused'));
    } else {
      S.status(S.t('scan_accepted'));
    }
    clearTimeout(state.refreshing);
    state.refreshing = setTimeout(refresh, REFRESH_MS);
  }

  function refresh() {
    var doc = state.doc;
    if (!doc) { return; }
    // A scan on its way: after its answer (flushed schedules it again)
    if (Q.busy()) { return; }
    return S.api('GET', 'scan/document?document=' +
      encodeURIComponent(doc.document) + '&kind=' + encodeURIComponent(doc.kind))
      .then(function (result) {
        if (result.status === 200 && state.doc && state.doc.id === doc.id) {
          showDocument(result.body, true);
        }
      }, function () {});
  }

  // Finished once every scan of it was sent: its session is completed
  // (the server refuses while expected quantities are missing), then the
  // document's workflow follows (finish)
  function complete() {
    var doc = state.doc;
    S.error('');
    var scans = Q.forTask(doc.id);
    if (scans.some(function (scan) { return scan.state === 'queued'; })) {
      S.error(S.t('doc_pending'));
      return;
    }
    var session = scans.filter(function (scan) {
      return scan.session;
    }).map(function (scan) { return scan.session; })[0] ||
      (doc.sessions || [])[0];
    if (!session) { S.error(S.t('nothing_scanned')); return; }
    return S.api('POST', 'scan/complete', {session: session})
      .then(function (result) {
        if (result.status !== 200) { S.error(S.apiError(result)); return; }
        localStorage.removeItem(DOC);
        return finish(doc);
      }, function () { S.error(S.t('network')); });
  }

  // The scans complete, the document itself goes on (received, shipped,
  // issued…) as far as the user's access rights allow: a refusal is shown
  // over the list of documents (the scans stay complete)
  // A warning of the workflow (e.g. moves without origin) is asked as the
  // desktop client asks it: confirmed, Finish is sent again with its name
  function finish(doc, confirm) {
    confirm = confirm || [];
    $('finish-confirm').hidden = true;
    return S.api('POST', 'scan/finish', {document: doc.document,
      kind: doc.kind, confirm: confirm}).then(function (result) {
      var done = result.status === 200;
      var body = result.body || {};
      var warning = !done && body.error && body.error.code === 'warning' &&
        body.error.warning;
      return openKind(doc.kind).then(function () {
        if (done) {
          S.status(S.t('doc_completed'));
          $('docs-view').setAttribute('data-finished',
            doc.document + ':' + body.state);
          return;
        }
        S.error(S.apiError(result));
        if (warning) {
          state.confirm = {doc: doc, names: confirm.concat([warning])};
          $('finish-confirm').hidden = false;
          $('finish-confirm').focus();
        }
      });
    }, function () { S.error(S.t('network')); });
  }

  function onEnter(id, next) {
    $(id).addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); next(); }
    });
  }

  function redraw() {
    if (state.doc && !$('doc-view').hidden) { render(); }
  }

  window.StocktakeDocs = {openKind: openKind, flushed: flushed,
    answered: answered, resume: resume, translate: redraw, redraw: redraw};

  document.addEventListener('DOMContentLoaded', function () {
    S = window.Stocktake;
    // Keyboard-wedge scanners type a code then Enter
    onEnter('doc-location', function () { $('doc-code').focus(); });
    onEnter('doc-code', function () { $('doc-quantity').focus(); });
    onEnter('doc-lot', function () { $('doc-quantity').focus(); });
    onEnter('doc-quantity', record);
    $('doc-submit').addEventListener('click', record);
    // The camera (camera.js) reads a product, lot or label into doc-code
    if (window.StocktakeCamera.available()) {
      $('doc-camera').hidden = false;
      $('doc-camera').addEventListener('click', function () {
        S.error('');
        window.StocktakeCamera.scanInto($('doc-video'), $('doc-code'),
          $('doc-camera'), S.cameraError);
      });
    }
    $('doc-complete').addEventListener('click', complete);
    $('doc-return').addEventListener('click', function () {
      setReturning(!state.returning);
      $('doc-location').focus();
    });
    $('doc-back').addEventListener('click', function () {
      S.error('');
      openKind(state.kind);
    });
    $('finish-confirm').addEventListener('click', function () {
      var pending = state.confirm;
      state.confirm = null;
      S.error('');
      if (pending) { finish(pending.doc, pending.names); }
    });
    $('docs-reload').addEventListener('click', function () {
      openKind(state.kind);
    });
  });
}());
