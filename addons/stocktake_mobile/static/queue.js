// Offline work queue of the counting page (window.StocktakeQueue).
// Every scan is written to IndexedDB (through the idb library, static/idb.js)
// with the client key made when it was scanned, before anything is sent.
// It stays 'queued' until the server answers it: 'sent' (recorded, or a
// replay it already had) or 'refused' (with the server's message, shown on
// the scan's own line). Scans go one at a time in the order they were made,
// always with their own key: a scan resent after a lost answer is a replay
// the server recognises (docs/HTTP_API.md, client keys), never a second
// count. One sender at a time per device (a Web Lock across tabs).
// The same file registers the service worker that keeps the page's shell.
(function () {
  'use strict';
  var DB = 'stocktake', VERSION = 1, SCANS = 'scans', TASKS = 'tasks';
  var LOCK = 'stocktake-send';
  // Answered scans stay on the screen for a week, then are forgotten
  var KEEP_MS = 7 * 24 * 3600 * 1000;
  var database = null, running = null, again = false;

  function open() {
    if (!database) {
      database = window.idb.openDB(DB, VERSION, {
        upgrade: function (db) {
          var scans = db.createObjectStore(SCANS, {keyPath: 'client_key'});
          scans.createIndex('task', 'task');
          scans.createIndex('state', 'state');
          // The last copy of each opened task: the page works offline
          db.createObjectStore(TASKS, {keyPath: 'id'});
        }
      });
    }
    return database;
  }

  function byTime(a, b) { return a.queued_at - b.queued_at; }

  // A new scan (task, client_key, location, code, quantity, counted_at,
  // device, lot): resolves once it is stored
  function add(scan) {
    var item = Object.assign({}, scan, {state: 'queued',
      queued_at: Date.now()});
    return open().then(function (db) {
      return db.add(SCANS, item);
    }).then(function () { return item; });
  }

  function pending() {
    return open().then(function (db) {
      return db.getAllFromIndex(SCANS, 'state', 'queued');
    }).then(function (items) { return items.sort(byTime); });
  }

  // The scans of a task, the latest first
  function forTask(taskId) {
    return open().then(function (db) {
      return db.getAllFromIndex(SCANS, 'task', taskId);
    }).then(function (items) { return items.sort(byTime).reverse(); });
  }

  // The answer of the server on a queued scan; a scan answered already
  // (by another tab) keeps its first answer
  function settle(clientKey, values) {
    return open().then(function (db) {
      var tx = db.transaction(SCANS, 'readwrite');
      return tx.store.get(clientKey).then(function (item) {
        if (item && item.state === 'queued') {
          Object.assign(item, values, {answered_at: Date.now()});
          tx.store.put(item);
        }
        return tx.done.then(function () { return item; });
      });
    });
  }

  function prune() {
    var before = Date.now() - KEEP_MS;
    return open().then(function (db) {
      var tx = db.transaction(SCANS, 'readwrite');
      return tx.store.getAll().then(function (items) {
        items.forEach(function (item) {
          if (item.state !== 'queued' && item.answered_at < before) {
            tx.store.delete(item.client_key);
          }
        });
        return tx.done;
      });
    });
  }

  // Scans queued by an earlier version of the page in localStorage keep
  // their keys: a scan already sent is then a replay, not a second count
  function adopt(storageKey) {
    var items;
    try { items = JSON.parse(localStorage.getItem(storageKey) || '[]'); }
    catch (e) { items = []; }
    if (!items.length) { return Promise.resolve(); }
    return open().then(function (db) {
      var tx = db.transaction(SCANS, 'readwrite');
      items.forEach(function (item, index) {
        tx.store.put(Object.assign({}, item, {state: 'queued',
          queued_at: (item.counted_at || Date.now()) + index / 1000}));
      });
      return tx.done;
    }).then(function () { localStorage.removeItem(storageKey); });
  }

  function saveTask(task) {
    return open().then(function (db) { return db.put(TASKS, task); });
  }
  function task(id) {
    return open().then(function (db) { return db.get(TASKS, id); });
  }

  // What a server answer means for a queued scan
  function outcome(result) {
    if (result.status === 200) { return 'sent'; }
    // Signed out, too many requests, server down or busy: later again
    if (result.status === 401 || result.status === 408 ||
        result.status === 429 || result.status >= 500) { return 'retry'; }
    return 'refused';
  }

  // Sends the queued scans that mine(item) accepts through post(item) ->
  // Promise({status, body}), rejected when the network failed. Resolves
  // with {sent: [items], refused: [items], stopped: null | 'offline' | the
  // answer that stopped}
  function send(post, mine) {
    var report = {sent: [], refused: [], stopped: null};
    function next() {
      return pending().then(function (items) {
        items = items.filter(mine);
        if (!items.length) { return report; }
        var item = items[0];
        return post(item).then(function (result) {
          var kind = outcome(result);
          if (kind === 'retry') { report.stopped = result; return report; }
          var body = result.body || {};
          // A document scan is answered 200 also when refused: its
          // result and message are kept for its line (documents.js)
          var values = kind === 'sent' ?
            {state: 'sent', status: body.status, line: body.line,
              result: body.result, accepted: body.accepted,
              message: body.message, session: body.session} :
            {state: 'refused', status: result.status,
              error: body.error ? body.error.code : null,
              message: body.error ? body.error.message : null};
          return settle(item.client_key, values).then(function (saved) {
            report[kind].push(saved || Object.assign(item, values));
            return next();
          });
        }, function () { report.stopped = 'offline'; return report; });
      });
    }
    return next();
  }

  // One sender at a time: a call while sending gets one more round after
  // it (a scan stored just after the round looked for pending ones)
  function flush(post, mine) {
    if (running) { again = true; return running; }
    var round = function () { return send(post, mine); };
    running = (navigator.locks ?
      navigator.locks.request(LOCK, round) : round()).then(
      function (report) {
        running = null;
        if (!again || report.stopped) { again = false; return report; }
        again = false;
        return flush(post, mine).then(function (more) {
          return {sent: report.sent.concat(more.sent),
            refused: report.refused.concat(more.refused),
            stopped: more.stopped};
        });
      },
      function (failure) { running = null; again = false; throw failure; });
    return running;
  }

  window.StocktakeQueue = {open: open, add: add, pending: pending,
    forTask: forTask, prune: prune, adopt: adopt, saveTask: saveTask,
    task: task, flush: flush};

  if ('serviceWorker' in navigator) {
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('sw.js').catch(function (e) {
        if (window.console) { console.warn('service worker', e); }
      });
    });
  }
}());
