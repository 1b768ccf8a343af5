// Offline work queue of the counting page (window.StocktakeQueue).
// Every scan is written to IndexedDB (through the idb library, static/idb.js)
// with the client key made when it was scanned. It stays 'queued' until the
// server answers it: 'sent' (recorded, or a replay it already had) or
// 'refused' (with the server's message, shown on the scan's own line).
// Scans go one at a time in the order they were made, always with their
// own key: a scan resent after a lost answer is a replay the server
// recognises (docs/HTTP_API.md, client keys), never a second count. One
// sender at a time per device (a Web Lock across tabs).
// The screens read the scans from a copy in memory, IndexedDB being the
// durable copy: a new scan is sent while it is being written (if the page
// dies before the write, the server has it or nothing was sent; after, it
// is sent again on load and answered as a replay), and no answer waits on
// a read or a write of IndexedDB (bench/bench_handheld.py).
// The same file registers the service worker that keeps the page's shell.
(function () {
  'use strict';
  var DB = 'stocktake', VERSION = 1, SCANS = 'scans', TASKS = 'tasks';
  var LOCK = 'stocktake-send';
  // Answered scans stay on the screen for a week, then are forgotten
  var KEEP_MS = 7 * 24 * 3600 * 1000;
  // The sender keeps the lock this long once the queue is empty: the scans
  // of a burst are sent without taking it again (another tab waits at most
  // this long more)
  var LINGER_MS = 1000;
  var database = null;
  // client_key -> scan: every scan of the store, as the screens show it
  var scans = new Map();
  // The sender holding the lock: {posting, wake, again} or null
  var sender = null;

  function open() {
    if (!database) {
      database = window.idb.openDB(DB, VERSION, {
        upgrade: function (db) {
          var store = db.createObjectStore(SCANS, {keyPath: 'client_key'});
          store.createIndex('task', 'task');
          store.createIndex('state', 'state');
          // The last copy of each opened task: the page works offline
          db.createObjectStore(TASKS, {keyPath: 'id'});
        }
      });
    }
    return database;
  }

  function byTime(a, b) { return a.queued_at - b.queued_at; }

  // Scans written by an earlier page, another tab, or answered by another
  // tab since: into the copy in memory (a scan answered here stays so)
  function load() {
    return open().then(function (db) {
      return db.getAllFromIndex(SCANS, 'state', 'queued').then(
        function (queued) {
          var still = {};
          queued.forEach(function (item) {
            still[item.client_key] = true;
            if (!scans.has(item.client_key)) { scans.set(item.client_key, item); }
          });
          var others = [];
          scans.forEach(function (item) {
            if (item.state === 'queued' && !still[item.client_key]) {
              others.push(item);
            }
          });
          return Promise.all(others.map(function (item) {
            return db.get(SCANS, item.client_key).then(function (stored) {
              if (stored && stored.state !== 'queued' &&
                  item.state === 'queued') {
                Object.assign(item, stored);
              }
            });
          }));
        });
    });
  }

  // Every scan once, at start (then load() keeps the copy up to date)
  function loadAll() {
    return open().then(function (db) { return db.getAll(SCANS); }).then(
      function (items) {
        items.forEach(function (item) {
          if (!scans.has(item.client_key)) { scans.set(item.client_key, item); }
        });
      });
  }

  // A new scan (task, client_key, location, code, quantity, counted_at,
  // device, lot): shown and sendable at once; `stored` resolves once it is
  // on disk (`strict`: it is off the scan's path). The write starts in a
  // microtask: a flush called right after add sends first
  function add(scan) {
    var item = Object.assign({}, scan, {state: 'queued',
      queued_at: Date.now()});
    scans.set(item.client_key, item);
    var copy = Object.assign({}, item);
    var stored = open().then(function (db) {
      var tx = db.transaction(SCANS, 'readwrite', {durability: 'strict'});
      tx.store.add(copy);
      return tx.done;
    }).then(function () { return item; });
    return {item: item, stored: stored};
  }

  // The queued scans, the oldest first
  function pending() {
    var items = [];
    scans.forEach(function (item) {
      if (item.state === 'queued') { items.push(item); }
    });
    return items.sort(byTime);
  }

  // The scans of a task, the latest first
  function forTask(taskId) {
    var items = [];
    scans.forEach(function (item) {
      if (item.task === taskId) { items.push(item); }
    });
    return items.sort(byTime).reverse();
  }

  // The answer of the server on a queued scan, written behind its add (the
  // transactions of a store run in their order); a scan answered already
  // (by another tab) keeps its first answer there
  function settle(item, values) {
    return open().then(function (db) {
      var tx = db.transaction(SCANS, 'readwrite');
      tx.store.get(item.client_key).then(function (stored) {
        if (stored && stored.state === 'queued') {
          tx.store.put(Object.assign(stored, values,
            {answered_at: item.answered_at}));
        }
      });
      return tx.done;
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
            scans.delete(item.client_key);
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
  // Promise({status, body}), rejected when the network failed; each answer
  // goes to on.answered(item) at once, and on.drained(report) follows when
  // none is left or the sending stopped: {sent: [items], refused: [items],
  // stopped: null | 'offline' | the answer that stopped}. Resolves when
  // the sender lets the lock go.
  function send(post, mine, on, self) {
    var report = {sent: [], refused: [], stopped: null};
    function drained() {
      var done = report;
      report = {sent: [], refused: [], stopped: null};
      on.drained(done);
      return done;
    }
    function next() {
      self.again = false;  // the queue is looked at now
      var item = pending().filter(mine)[0];
      if (!item) {
        drained();
        // Idle: a scan coming soon wakes the sender (its request is then
        // made in the scan's own task), else it stops
        return new Promise(function (resolve) {
          var timer = setTimeout(function () {
            self.wake = null;
            resolve(null);
          }, LINGER_MS);
          self.wake = function () {
            clearTimeout(timer);
            self.wake = null;
            resolve(next());
          };
        });
      }
      self.posting = true;
      return post(item).then(function (result) {
        self.posting = false;
        var kind = outcome(result);
        if (kind === 'retry') { report.stopped = result; return drained(); }
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
        Object.assign(item, values, {answered_at: Date.now()});
        report[kind].push(item);
        on.answered(item);  // drawn first, stored then
        settle(item, values).catch(on.failed);
        return next();
      }, function () {
        self.posting = false;
        report.stopped = 'offline';
        return drained();
      });
    }
    return next();
  }

  // One sender at a time: a call while one lingers wakes it, a call while
  // it sends gets one more round after it if it stops (a scan made just as
  // it stopped). fromStore: first take in the scans of other tabs and
  // earlier pages (not on a scan's path)
  function flush(post, mine, on, fromStore) {
    if (sender) {
      if (sender.wake) { sender.wake(); } else { sender.again = true; }
      return Promise.resolve();
    }
    var self = sender = {posting: false, wake: null, again: false};
    // Read under the lock: what another tab sent before is not sent again
    var round = function () {
      return (fromStore ? load() : Promise.resolve()).then(function () {
        return send(post, mine, on, self);
      });
    };
    return (navigator.locks ? navigator.locks.request(LOCK, round) :
      round()).then(function (stopped) {
      sender = null;
      if (self.again && !stopped) { return flush(post, mine, on); }
    }, function (failure) { sender = null; throw failure; });
  }

  window.StocktakeQueue = {open: open, add: add, pending: pending,
    forTask: forTask, prune: prune, adopt: adopt, loadAll: loadAll,
    saveTask: saveTask, task: task, flush: flush,
    busy: function () { return !!(sender && sender.posting); }};

  if ('serviceWorker' in navigator) {
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('sw.js').catch(function (e) {
        if (window.console) { console.warn('service worker', e); }
      });
    });
  }
}());
