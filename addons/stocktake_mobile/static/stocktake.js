// Mobile counting page: plain DOM (textContent only, so product names can
// never inject markup), offline queue in IndexedDB with client keys
// (queue.js), shell kept by a service worker (sw.js).
(function () {
  'use strict';
  var I18N = window.STOCKTAKE_I18N, Q = window.StocktakeQueue;
  // QUEUE: where an earlier version of the page queued scans (adopted by Q)
  var QUEUE = 'stocktake.queue', KEY = 'stocktake.key', LANG = 'stocktake.lang';
  var TASK = 'stocktake.task', ME = 'stocktake.me';
  // The flows of the signed-in user, as last told by the server (offline)
  var FLOWS = 'stocktake.flows';
  var state = {task: null};
  var $ = function (id) { return document.getElementById(id); };

  function lang() {
    var l = localStorage.getItem(LANG) ||
      ((navigator.language || '').indexOf('zh') === 0 ? 'zh_CN' : 'en');
    return I18N[l] ? l : 'en';
  }
  function t(key) { return I18N[lang()][key] || I18N.en[key] || key; }
  function translate() {
    document.documentElement.lang = lang() === 'zh_CN' ? 'zh-CN' : 'en';
    $('language').value = lang();
    document.querySelectorAll('[data-i18n]').forEach(function (el) {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
  }
  function show(view) {
    // A screen left closes its camera
    if (window.StocktakeCamera) { window.StocktakeCamera.stop(); }
    // Every screen is a section of the body (qc.js adds its own)
    document.querySelectorAll('body > section').forEach(function (el) {
      el.hidden = el.id !== view;
    });
  }
  function status(text, cls) {
    $('status').textContent = text || '';
    $('status').className = 'status ' + (cls || '');
  }
  function error(text) {
    $('error').textContent = text || '';
    $('error').hidden = !text;
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + '-' +
      Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  // Resolves with {status, body}; rejects only when the network failed
  function api(method, path, body) {
    var url = new URL('api/' + path, location.href);
    url.searchParams.set('language', lang());
    return fetch(url.toString(), {
      method: method,
      headers: {'Authorization': 'bearer ' + localStorage.getItem(KEY),
        'Content-Type': 'application/json'},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return {status: response.status, body: data};
      });
    });
  }
  function apiError(result) {
    if (result.status === 401) { return t('bad_key'); }
    if (result.body && result.body.error) { return result.body.error.message; }
    return t('network') + ' (' + result.status + ')';
  }

  // Answered scans shown (every waiting or refused one is)
  var SHOWN_SENT = 50;
  // The scans of the open task: client_key -> {state, at} as last counted,
  // client_key -> li of those drawn, and how many in each state
  var drawn = {seen: new Map(), lines: new Map(), counts: {}};

  function scanText(scan) {
    return scan.location + ' · ' + scan.code + ' × ' + scan.quantity +
      ' — ' + t(scan.state === 'queued' && !mine(scan) ?
        'scan_other_user' : 'scan_' + scan.state) +
      (scan.state === 'refused' && scan.message ? ': ' + scan.message : '');
  }
  function showCounts() {
    $('queue').textContent = String(Q.pending().length);
    $('sent-count').textContent = String(drawn.counts.sent || 0);
    $('refused-count').textContent = String(drawn.counts.refused || 0);
  }

  // Queued, sent and refused scans: the count of those waiting (all tasks)
  // and, in a task, each scan on its own line with the server's answer,
  // the latest first (from the queue's copy in memory: no read of
  // IndexedDB). The whole list: when a task is opened or the page loaded
  function renderScans() {
    var list = $('scans'), shownSent = 0;
    drawn = {seen: new Map(), lines: new Map(), counts: {}};
    list.textContent = '';
    if (state.task) {
      Q.forTask(state.task.id).forEach(function (scan) {
        count(scan);
        if (scan.state === 'sent' && ++shownSent > SHOWN_SENT) { return; }
        list.appendChild(scanLine(scan));
      });
    }
    showCounts();
  }
  function count(scan) {
    var before = drawn.seen.get(scan.client_key);
    if (before) { drawn.counts[before.state] -= 1; }
    drawn.seen.set(scan.client_key, {state: scan.state, at: scan.queued_at});
    drawn.counts[scan.state] = (drawn.counts[scan.state] || 0) + 1;
  }
  function scanLine(scan) {
    var li = document.createElement('li');
    li.className = scan.state;
    li.setAttribute('data-key', scan.client_key);
    li.textContent = scanText(scan);
    drawn.lines.set(scan.client_key, li);
    return li;
  }

  // One scan, new or answered: its own line and the counters only (a
  // redraw per answer would cost the clerk time on a long list)
  function drawScan(scan) {
    if (!state.task || scan.task !== state.task.id) { showCounts(); return; }
    var list = $('scans'), li = drawn.lines.get(scan.client_key);
    count(scan);
    if (li) {
      li.className = scan.state;
      li.textContent = scanText(scan);
    } else {
      // In its place, the latest first (a new scan: at the top)
      var next = list.firstChild;
      while (next && drawn.seen.get(next.getAttribute('data-key')).at >
          scan.queued_at) { next = next.nextSibling; }
      list.insertBefore(scanLine(scan), next);
    }
    if (scan.state === 'sent') {
      // 'sent' is a scan's last state: the oldest one shown goes
      var sent = list.getElementsByClassName('sent');
      if (sent.length > SHOWN_SENT) {
        var oldest = sent[sent.length - 1];
        drawn.lines.delete(oldest.getAttribute('data-key'));
        list.removeChild(oldest);
      }
    }
    showCounts();
  }
  function storageFailed() { error(t('storage')); }

  // Whose scans: the user of the signed-in key, learnt once per key (GET
  // me) and kept with the key's first characters. A scan is sent only
  // under the key of the person who scanned it, never another's
  function owner() {
    var key = localStorage.getItem(KEY), me = null;
    try { me = JSON.parse(localStorage.getItem(ME) || 'null'); } catch (e) {}
    return me && key && me.key === key.slice(0, 8) ? me.id : null;
  }
  function learnOwner() {
    var key = localStorage.getItem(KEY);
    if (owner() !== null || !key) { return Promise.resolve(owner()); }
    return api('GET', 'me').then(function (result) {
      if (result.status !== 200 || localStorage.getItem(KEY) !== key) {
        return null;
      }
      localStorage.setItem(ME, JSON.stringify({key: key.slice(0, 8),
        id: result.body.id}));
      return result.body.id;
    }, function () { return null; });
  }
  function mine(item) { return !item.owner || item.owner === owner(); }

  // No server: the task as last loaded on this device, scans still go to
  // the queue and are sent when the server answers again
  function resumeOffline() {
    var id = Number(localStorage.getItem(TASK));
    var cached = id ? Q.task(id) : Promise.resolve(null);
    return cached.then(function (task) {
      if (!task) {
        // The flows as last known; a document opened before resumes
        home();
        status(t('offline'), 'offline');
        if (window.StocktakeDocs) { window.StocktakeDocs.resume(); }
        return;
      }
      state.task = task;
      showTask();
      status(t('offline'), 'offline');
    }, function () { error(t('network')); });
  }
  function showTask() {
    $('task-name').textContent = state.task.name +
      (state.task.zone ? ' · ' + state.task.zone : '');
    renderLines();
    renderScans();
    show('task-view');
  }
  function leaveTask() {
    state.task = null;
    localStorage.removeItem(TASK);
  }

  // The person's own login and password; the server answers a key for
  // this device, kept until sign-out or until a supervisor revokes it
  function signIn() {
    error('');
    var login = $('user').value.trim(), password = $('password').value;
    if (!login || !password) { return; }
    api('POST', 'signin', {login: login, password: password,
      device: navigator.userAgent.slice(0, 64)}).then(function (result) {
      $('password').value = '';
      if (result.status !== 200) {
        error(result.status === 401 ? t('bad_login') : apiError(result));
        return;
      }
      localStorage.setItem(KEY, result.body.key);
      start();
    }, function () { error(t('network')); });
  }

  // A supervisor's QR code opens the page with ?token=…: it is taken out of
  // the address at once (history, screenshots) and exchanged, once, for a
  // key of this device
  function takeToken() {
    var url = new URL(location.href);
    var token = url.searchParams.get('token');
    if (token === null) { return null; }
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return token;
  }
  function signInWithToken(token) {
    error('');
    var previous = localStorage.getItem(KEY);
    if (previous) {
      // Another person's key on this phone: it stops working
      api('POST', 'signout').then(function () {}, function () {});
      localStorage.removeItem(KEY);
    }
    show('login-view');
    api('POST', 'signin/token', {token: token,
      device: navigator.userAgent.slice(0, 64)}).then(function (result) {
      if (result.status !== 200) {
        // Expired, used or unknown: the server's translated message
        error(result.body && result.body.error ?
          result.body.error.message : apiError(result));
        return;
      }
      localStorage.setItem(KEY, result.body.key);
      start();
    }, function () { error(t('network')); });
  }

  function start() {
    api('GET', 'me').then(function (result) {
      if (result.status !== 200) {
        localStorage.removeItem(KEY);
        show('login-view');
        error(apiError(result));
        return;
      }
      status(result.body.name);
      localStorage.setItem(FLOWS, JSON.stringify(result.body.flows || []));
      // Whose key this is (learnOwner without its request); the scans
      // this person left queued go now, not at the next timer's round
      localStorage.setItem(ME, JSON.stringify({
        key: localStorage.getItem(KEY).slice(0, 8), id: result.body.id}));
      flush(true);
      home();
    }, resumeOffline);
  }

  // The home screen: the flows the server says this user may use
  function home() {
    var flows = [];
    try { flows = JSON.parse(localStorage.getItem(FLOWS) || '[]'); } catch (e) {}
    leaveTask();
    window.StocktakeHome.render(flows);
    show('home-view');
  }

  function signOut() {
    api('POST', 'signout').then(function () {}, function () {});
    localStorage.removeItem(KEY);
    localStorage.removeItem(FLOWS);
    status('');
    show('login-view');
  }

  function loadTasks() {
    api('GET', 'tasks').then(function (result) {
      if (result.status !== 200) { error(apiError(result)); return; }
      var list = $('tasks');
      list.textContent = '';
      if (!result.body.length) {
        var empty = document.createElement('li');
        empty.textContent = t('no_tasks');
        list.appendChild(empty);
      }
      result.body.forEach(function (task) {
        var li = document.createElement('li');
        var button = document.createElement('button');
        button.className = 'task';
        button.setAttribute('data-task', String(task.id));
        button.textContent = task.name + (task.zone ? ' · ' + task.zone : '') +
          (task.due_date ? ' · ' + t('due') + ' ' + task.due_date : '') +
          (task.assignee ? ' · ' + t('assignee') + ' ' + task.assignee : '');
        button.addEventListener('click', function () { openTask(task.id); });
        li.appendChild(button);
        list.appendChild(li);
      });
      show('tasks-view');
    }, function () { error(t('network')); });
  }

  function openTask(id) {
    error('');
    return api('GET', 'tasks/' + id).then(function (result) {
      if (result.status !== 200) { error(apiError(result)); return; }
      state.task = result.body;
      localStorage.setItem(TASK, String(state.task.id));
      Q.saveTask(state.task);
      showTask();
      $('location').focus();
    }, function () {
      if (state.task && state.task.id === id) { show('task-view'); }
      else { error(t('network')); }
    });
  }

  function renderLines() {
    drawList($('lines'), 'data-line', state.task.lines.map(function (line) {
      return {key: String(line.id), cls: line.counted ? 'done' : '',
        text: line.location + ' · ' + (line.product_code || '') + ' ' +
          line.product + (line.lot ? ' · ' + line.lot : '') + ' — ' +
          (line.counted ? t('counted') + ' ' + line.quantity : t('to_count'))};
    }));
  }

  // Rows {key, text, cls, attrs} into a list, keyed by the attribute: the
  // same keys in the same order (a task or document read again after a
  // scan) update their own li where it changed; other keys draw it anew
  function drawList(list, attr, rows) {
    var items = list.children;
    var same = items.length === rows.length && rows.every(function (row, i) {
      return items[i].getAttribute(attr) === row.key;
    });
    if (!same) { list.textContent = ''; }
    rows.forEach(function (row, i) {
      var li = same ? items[i] : document.createElement('li');
      if (li.textContent !== row.text) { li.textContent = row.text; }
      if (li.className !== (row.cls || '')) { li.className = row.cls || ''; }
      li.setAttribute(attr, row.key);
      Object.keys(row.attrs || {}).forEach(function (name) {
        if (row.attrs[name] === null) { li.removeAttribute(name); }
        else { li.setAttribute(name, row.attrs[name]); }
      });
      if (!same) { list.appendChild(li); }
    });
  }

  function record() {
    error('');
    var location_ = $('location').value.trim(), code = $('code').value.trim();
    var quantity = $('quantity').value.trim();
    if (!location_) { error(t('need_location')); $('location').focus(); return; }
    if (!code) { error(t('need_code')); $('code').focus(); return; }
    if (quantity === '') { error(t('need_quantity')); $('quantity').focus(); return; }
    $('code').value = '';
    $('quantity').value = '';
    $('code').focus();
    // Sent, stored on the device with its key, and shown (queue.js)
    var added = Q.add({task: state.task.id, client_key: newKey(),
      location: location_, code: code, quantity: Number(quantity),
      counted_at: Date.now(), device: navigator.userAgent.slice(0, 60),
      owner: owner()});
    flush();
    added.stored.catch(storageFailed);
    drawScan(added.item);
  }

  function post(item) {
    if (item.document) {
      // A document scan (documents.js): the scanning API's rules
      // A return of unused material (issue): its own endpoint
      return api('POST', item.returning ? 'scan/return' : 'scan/scan', {
        document: item.document,
        kind: item.kind, code: item.code, quantity: item.quantity,
        location: item.location || null, lot: item.lot || null,
        client_key: item.client_key, device: item.device});
    }
    return api('POST', 'tasks/' + item.task + '/counts', {
      location: item.location, code: item.code, quantity: item.quantity,
      lot: item.lot, client_key: item.client_key, device: item.device,
      counted_at: item.counted_at});
  }

  // Each answer is drawn as it comes (the clerk waits on it)
  function answered(item) {
    if (item.document) {
      if (window.StocktakeDocs) { window.StocktakeDocs.answered(item); }
    } else {
      drawScan(item);
    }
  }

  // The queue is empty or stopped: what the round says, heard and felt
  function drained(report) {
    var last = report.sent[report.sent.length - 1];
    if (report.stopped === 'offline') {
      status(t('offline'), 'offline');
    } else if (report.stopped) {
      error(apiError(report.stopped));
    } else if (report.refused.length) {
      error(report.refused[report.refused.length - 1].message ||
        t('scan_refused'));
    } else if (last) {
      status(t(last.status === 'duplicate' ? 'duplicate' : 'recorded'));
    }
    $('queue').textContent = String(Q.pending().length);
    window.ScanFeedback.round(report);
    if (window.StocktakeDocs) { window.StocktakeDocs.flushed(report); }
    // A round is over (the tests wait on it, never on time)
    document.body.setAttribute('data-flushed', String(Date.now()));
    if (state.task && (report.sent.length || report.refused.length)) {
      // Each answer was drawn as it came; scans another tab queued (read
      // under the lock) are drawn with the whole list
      if (Q.forTask(state.task.id).length !== drawn.seen.size) {
        renderScans();
      }
      refresh();
    }
  }

  // Sends the queued scans in order (queue.js); stops at the first network
  // failure, a busy server or a refused key, and keeps those scans queued.
  // fromStore: also those another tab or an earlier page queued
  var handlers = {answered: answered, drained: drained, failed: storageFailed};
  function flush(fromStore) {
    if (!localStorage.getItem(KEY)) { return Promise.resolve(); }
    // The owner known: at once (a scan's request in the scan's own task)
    if (owner() !== null) {
      return Q.flush(post, mine, handlers, fromStore === true)
        .catch(storageFailed);
    }
    return learnOwner().then(function () {
      return Q.flush(post, mine, handlers, fromStore === true);
    }).catch(storageFailed);
  }
  function refresh() {
    var id = state.task.id;
    return api('GET', 'tasks/' + id).then(function (result) {
      if (result.status === 200 && state.task && state.task.id === id) {
        state.task = result.body;
        Q.saveTask(state.task);
        renderLines();
      }
    }, function () {});
  }

  function finish() {
    var id = state.task.id;
    error('');
    // A task finished before its queued scans are sent would refuse them
    if (Q.pending().some(function (item) { return item.task === id; })) {
      error(t('finish_pending'));
      return;
    }
    api('POST', 'tasks/' + id + '/finish').then(function (result) {
      if (result.status !== 200) { error(apiError(result)); return; }
      status(t('finished'));
      leaveTask();
      loadTasks();
    }, function () { error(t('network')); });
  }

  // The camera (camera.js) reads the location first, then the product:
  // entered as a scanner enters them
  function camera() {
    error('');
    window.StocktakeCamera.scanInto($('video'),
      $('location').value.trim() ? $('code') : $('location'), $('camera'),
      cameraError);
  }
  function cameraError(e) {
    error(t('camera_failed') + ' ' + String(e && e.message || e));
  }

  // Keyboard-wedge scanners type the code then Enter: move to the next field
  function onEnter(id, next) {
    $(id).addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); next(); }
    });
  }

  // For the other screens of the page (lookup.js)
  window.Stocktake = {api: api, apiError: apiError, t: t, show: show,
    error: error, status: status, newKey: newKey, owner: owner, mine: mine,
    cameraError: cameraError, drawList: drawList,
    flush: flush, loadTasks: loadTasks, home: home};

  document.addEventListener('DOMContentLoaded', function () {
    translate();
    // Sent again on page load, on reconnecting and every few seconds
    Q.adopt(QUEUE).then(Q.prune).then(Q.loadAll).then(function () {
      renderScans();
      if (window.StocktakeDocs) { window.StocktakeDocs.redraw(); }
      return flush();
    }, storageFailed);
    $('language').addEventListener('change', function () {
      localStorage.setItem(LANG, $('language').value);
      translate();
      if (state.task) { renderLines(); renderScans(); }
      if (!$('home-view').hidden) { home(); }
      if (window.StocktakeDocs) { window.StocktakeDocs.translate(); }
    });
    $('login').addEventListener('click', signIn);
    onEnter('user', function () { $('password').focus(); });
    onEnter('password', signIn);
    $('logout').addEventListener('click', signOut);
    onEnter('location', function () { $('code').focus(); });
    onEnter('code', function () { $('quantity').focus(); });
    onEnter('quantity', record);
    $('submit').addEventListener('click', record);
    $('finish').addEventListener('click', finish);
    document.querySelectorAll('.home-open').forEach(function (button) {
      button.addEventListener('click', function () { error(''); home(); });
    });
    $('back').addEventListener('click', function () {
      leaveTask();
      loadTasks();
    });
    if (window.StocktakeCamera.available()) {
      $('camera').hidden = false;
      $('camera').addEventListener('click', camera);
    }
    window.addEventListener('online', function () { flush(true); });
    setInterval(function () { flush(true); }, 3000);
    var token = takeToken();
    if (token !== null) { signInWithToken(token); }
    else if (localStorage.getItem(KEY)) { start(); } else { show('login-view'); }
  });
}());
