// Mobile counting page: plain DOM (textContent only, so product names can
// never inject markup), offline queue in localStorage with client keys.
(function () {
  'use strict';
  var I18N = window.STOCKTAKE_I18N;
  var QUEUE = 'stocktake.queue', KEY = 'stocktake.key', LANG = 'stocktake.lang';
  var state = {task: null, sending: false};
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
    ['login-view', 'tasks-view', 'task-view'].forEach(function (v) {
      $(v).hidden = v !== view;
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

  function queue() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || '[]'); }
    catch (e) { return []; }
  }
  function saveQueue(items) {
    localStorage.setItem(QUEUE, JSON.stringify(items));
    $('queue').textContent = String(items.length);
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
      loadTasks();
    }, function () { error(t('network')); });
  }

  function signOut() {
    api('POST', 'signout').then(function () {}, function () {});
    localStorage.removeItem(KEY);
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
      $('task-name').textContent = state.task.name +
        (state.task.zone ? ' · ' + state.task.zone : '');
      renderLines();
      show('task-view');
      $('location').focus();
    }, function () {
      if (state.task && state.task.id === id) { show('task-view'); }
      else { error(t('network')); }
    });
  }

  function renderLines() {
    var list = $('lines');
    list.textContent = '';
    state.task.lines.forEach(function (line) {
      var li = document.createElement('li');
      li.className = line.counted ? 'done' : '';
      li.setAttribute('data-line', String(line.id));
      li.textContent = line.location + ' · ' + (line.product_code || '') + ' ' +
        line.product + (line.lot ? ' · ' + line.lot : '') + ' — ' +
        (line.counted ? t('counted') + ' ' + line.quantity : t('to_count'));
      list.appendChild(li);
    });
  }

  function record() {
    error('');
    var location_ = $('location').value.trim(), code = $('code').value.trim();
    var quantity = $('quantity').value.trim();
    if (!location_) { error(t('need_location')); $('location').focus(); return; }
    if (!code) { error(t('need_code')); $('code').focus(); return; }
    if (quantity === '') { error(t('need_quantity')); $('quantity').focus(); return; }
    var items = queue();
    items.push({task: state.task.id, client_key: newKey(), location: location_,
      code: code, quantity: Number(quantity), counted_at: Date.now(),
      device: navigator.userAgent.slice(0, 60)});
    saveQueue(items);
    $('code').value = '';
    $('quantity').value = '';
    $('code').focus();
    flush();
  }

  // Sends queued scans in order; stops at the first network failure
  function flush() {
    if (state.sending) { return Promise.resolve(); }
    var items = queue();
    if (!items.length) { return Promise.resolve(); }
    state.sending = true;
    var item = items[0];
    return api('POST', 'tasks/' + item.task + '/counts', item).then(
      function (result) {
        if (result.status >= 500 || result.status === 401 ||
            result.status === 429) {
          // Server busy or key problem: keep the scan and retry later
          state.sending = false;
          error(apiError(result));
          return;
        }
        saveQueue(queue().filter(function (i) {
          return i.client_key !== item.client_key;
        }));
        state.sending = false;
        if (result.status === 200) {
          status(t(result.body.status === 'duplicate' ? 'duplicate' : 'recorded'));
        } else {
          error(apiError(result));
        }
        if (queue().length) { return flush(); }
        if (state.task) { return refresh(); }
      },
      function () {
        state.sending = false;
        status(t('offline'), 'offline');
      });
  }
  function refresh() {
    return api('GET', 'tasks/' + state.task.id).then(function (result) {
      if (result.status === 200) { state.task = result.body; renderLines(); }
    }, function () {});
  }

  function finish() {
    api('POST', 'tasks/' + state.task.id + '/finish').then(function (result) {
      if (result.status !== 200) { error(apiError(result)); return; }
      status(t('finished'));
      state.task = null;
      loadTasks();
    }, function () { error(t('network')); });
  }

  // Phone camera where the browser has BarcodeDetector
  function camera() {
    var video = $('video');
    var detector = new window.BarcodeDetector();
    navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}})
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var scan = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (track) { track.stop(); });
              video.hidden = true;
              var field = $('location').value ? $('code') : $('location');
              field.value = codes[0].rawValue;
              ($('location').value && $('code').value ? $('quantity') : $('code')).focus();
            } else { requestAnimationFrame(scan); }
          }, function () { requestAnimationFrame(scan); });
        };
        scan();
      }, function (e) { error(String(e && e.message || e)); });
  }

  // Keyboard-wedge scanners type the code then Enter: move to the next field
  function onEnter(id, next) {
    $(id).addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); next(); }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    translate();
    saveQueue(queue());
    $('language').addEventListener('change', function () {
      localStorage.setItem(LANG, $('language').value);
      translate();
      if (state.task) { renderLines(); }
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
    $('back').addEventListener('click', function () {
      state.task = null;
      loadTasks();
    });
    if ('BarcodeDetector' in window && navigator.mediaDevices) {
      $('camera').hidden = false;
      $('camera').addEventListener('click', camera);
    }
    window.addEventListener('online', flush);
    setInterval(flush, 3000);
    var token = takeToken();
    if (token !== null) { signInWithToken(token); }
    else if (localStorage.getItem(KEY)) { start(); } else { show('login-view'); }
  });
}());
