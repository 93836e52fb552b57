// The sonde HTML report: draws the run held in #sonde-data. Text reaches the page only as
// text nodes (textContent), never as markup. Files are drawn a batch at a time as the page
// is scrolled, the steps of a file when it is opened (failed files are open to begin with).
// The filter and search are kept in the URL's fragment: #filter=failed&q=login.
// In the data, a string "~N" (N in base 36) is entry N of DATA.strings, and nulls and empty
// lists are left out (src/report/html.rs).
(function () {
  'use strict';

  var t0 = performance.now();
  var holder = document.getElementById('sonde-data');
  var DATA = JSON.parse(holder.textContent);
  var tParsed = performance.now();
  holder.parentNode.removeChild(holder);
  var files = DATA.files || [];
  var summary = DATA.summary || {};
  var strings = DATA.strings || [];
  function R(v) {
    return typeof v === 'string' && v.charCodeAt(0) === 126 ? strings[parseInt(v.slice(1), 36)] : v;
  }
  var resolveString = R;
  function resolve(v) {
    if (typeof v === 'string') return R(v);
    if (Array.isArray(v)) {
      for (var n = 0; n < v.length; n++) v[n] = resolve(v[n]);
    } else if (v !== null && typeof v === 'object') {
      for (var key in v) v[key] = resolve(v[key]);
    }
    return v;
  }
  // File k with its strings in place, done the first time it is drawn or searched.
  function full(k) {
    var inf = info[k];
    if (!inf.full) {
      resolve(files[k]);
      inf.full = true;
    }
    return files[k];
  }
  var BATCH = 100;

  // ---- What each file is, computed once. --------------------------------------------------

  function stepStatus(s) {
    var outcome = R(s.outcome);
    if (s.flaky === true || outcome === 'flaky') return 'flaky';
    return outcome;
  }
  function fileFlaky(f) {
    return f.flaky === true || (typeof f.flaky === 'number' && f.flaky > 0) ||
      R(f.outcome) === 'flaky' || R(f.status) === 'flaky';
  }

  var info = new Array(files.length);
  var tally = { failed: 0, skipped: 0, flaky: 0, errors: 0, steps: 0 };
  var flakyKnown = 'files_flaky' in summary || 'flaky' in summary;
  for (var i = 0; i < files.length; i++) {
    var f = files[i];
    var steps = f.steps || [];
    var p = 0, fl = 0, sk = 0;
    for (var j = 0; j < steps.length; j++) {
      var st = stepStatus(steps[j]);
      if (st === 'failed') fl++;
      else if (st === 'skipped') sk++;
      else p++;
      if (st === 'flaky') flakyKnown = true;
    }
    var flaky = fileFlaky(f);
    if ('flaky' in f) flakyKnown = true;
    var status = f.error != null ? 'error' : fl ? 'failed' : flaky ? 'flaky' : sk && !p ? 'skipped' : 'passed';
    info[i] = { p: p, fl: fl, sk: sk, status: status, flaky: flaky, hay: null, stepHay: null, full: false };
    if (status === 'error') tally.errors++;
    if (status === 'error' || status === 'failed') tally.failed++;
    if (sk) tally.skipped++;
    if (flaky) tally.flaky++;
    tally.steps += steps.length;
  }
  var num = function (v, fallback) { return typeof v === 'number' ? v : fallback; };
  var stepsPassed = num(summary.steps_passed, 0);
  var stepsFailed = num(summary.steps_failed, 0);
  var stepsSkipped = num(summary.steps_skipped, 0);
  var flakyCount = num(summary.files_flaky, num(summary.flaky, tally.flaky));
  if (flakyCount > 0) flakyKnown = true;

  // ---- Small helpers. -----------------------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function add(parent) {
    for (var k = 1; k < arguments.length; k++) {
      var c = arguments[k];
      if (c != null) parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return parent;
  }
  function fmtTime(sec) {
    if (typeof sec !== 'number') return '';
    if (sec < 1) return Math.round(sec * 1000) + ' ms';
    if (sec < 60) return (sec < 10 ? sec.toFixed(2) : sec.toFixed(1)) + ' s';
    var m = Math.floor(sec / 60), s = Math.round(sec - m * 60);
    return m + ' min ' + (s < 10 ? '0' : '') + s + ' s';
  }
  function fmtInt(n) { return Number(n).toLocaleString('en-US'); }
  function fmtBytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1048576).toFixed(1) + ' MiB';
  }
  function plural(n, word) { return fmtInt(n) + ' ' + word + (n === 1 ? '' : 's'); }
  var SVG_NS = 'http://www.w3.org/2000/svg';
  function chevron() {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('width', '12');
    svg.setAttribute('height', '12');
    svg.setAttribute('class', 'chev');
    var path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', 'M6 3l5 5-5 5');
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2');
    svg.appendChild(path);
    return svg;
  }
  function header(list, name) {
    for (var k = 0; k < list.length; k++) {
      if (String(list[k][0]).toLowerCase() === name) return list[k][1];
    }
    return null;
  }

  // ---- State: filter, search, what is open. -------------------------------------------------

  var state = { filter: 'all', q: '' };
  var fileOpen = Object.create(null);   // index -> bool, when the reader toggled it
  var stepOpen = Object.create(null);   // "file:step" -> bool
  var openAll = null;                   // null, or true/false after "expand all"/"collapse all"

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, '') || location.search.replace(/^\?/, ''));
    var filter = params.get('filter');
    state.filter = filter === 'failed' || filter === 'skipped' || filter === 'flaky' ? filter : 'all';
    state.q = params.get('q') || '';
  }
  function writeHash() {
    var parts = [];
    if (state.filter !== 'all') parts.push('filter=' + state.filter);
    if (state.q) parts.push('q=' + encodeURIComponent(state.q));
    var hash = parts.length ? '#' + parts.join('&') : ' ';
    history.replaceState(null, '', hash === ' ' ? location.pathname + location.search : hash);
  }

  function fileInFilter(k) {
    var inf = info[k];
    switch (state.filter) {
      case 'failed': return inf.status === 'failed' || inf.status === 'error';
      case 'skipped': return inf.sk > 0;
      case 'flaky': return inf.flaky;
      default: return true;
    }
  }
  function stepInFilter(s) {
    switch (state.filter) {
      case 'failed': return R(s.outcome) === 'failed';
      case 'skipped': return R(s.outcome) === 'skipped';
      default: return true;
    }
  }
  function hayOf(k) {
    var inf = info[k];
    if (inf.hay === null) {
      var f = files[k];
      // A file already drawn has its strings in place (and a text may start with "~").
      var R = inf.full ? function (v) { return v; } : resolveString;
      inf.hay = (R(f.name) + '\n' + R(f.path) + '\n' + (R(f.error) || '')).toLowerCase();
      inf.stepHay = (f.steps || []).map(function (s) {
        var x = s.exchange;
        return (R(s.name) + (x ? '\n' + R(x.method) + ' ' + R(x.url) : '')).toLowerCase();
      });
    }
    return inf;
  }

  // The files shown, each with the steps shown (null: every step the filter lets through).
  var visible = [];
  function select() {
    visible = [];
    var q = state.q.trim().toLowerCase();
    for (var k = 0; k < files.length; k++) {
      if (!fileInFilter(k)) continue;
      var steps = files[k].steps || [];
      if (!q) {
        visible.push({ i: k, steps: null, byQuery: false });
        continue;
      }
      var inf = hayOf(k);
      if (inf.hay.indexOf(q) >= 0) {
        visible.push({ i: k, steps: null, byQuery: false });
        continue;
      }
      var shown = [];
      for (var j = 0; j < steps.length; j++) {
        if (stepInFilter(steps[j]) && inf.stepHay[j].indexOf(q) >= 0) shown.push(j);
      }
      if (shown.length) visible.push({ i: k, steps: shown, byQuery: true });
    }
  }

  // ---- The bar. -----------------------------------------------------------------------------

  var app = document.getElementById('app');
  app.textContent = '';
  var bar = el('header', 'bar');
  var inner = add(bar, el('div', 'bar-inner')).lastChild;

  var failedRun = stepsFailed > 0 || tally.failed > 0;
  var verdict = el('span', 'verdict ' + (failedRun ? 'ko' : 'ok'), failedRun ? '✗ Failed' : '✓ Passed');
  var meta = [];
  if (DATA.started) meta.push(new Date(DATA.started).toLocaleString());
  meta.push('sonde ' + DATA.version);
  add(inner, add(el('div', 'title-row'), verdict, el('h1', null, 'Test report'), el('span', 'meta', meta.join(' · '))));

  function stat(cls, n, label, sub) {
    var s = add(el('div', 'stat ' + cls), add(el('span', 'n', n), sub ? el('span', 'sub', ' ' + sub) : null), el('span', 'l', label));
    return s;
  }
  var filesTotal = files.length;
  var stats = el('div', 'stats');
  add(stats,
    stat('', fmtInt(filesTotal), 'files', tally.failed ? fmtInt(tally.failed) + ' failed' : null),
    stat('', fmtInt(stepsPassed + stepsFailed + stepsSkipped), 'steps'),
    stat('passed', fmtInt(stepsPassed), 'passed'),
    stat('failed', fmtInt(stepsFailed), 'failed'),
    stat('skipped', fmtInt(stepsSkipped), 'skipped'),
    flakyKnown ? stat('flaky', fmtInt(flakyCount), 'flaky files') : null,
    tally.errors ? stat('errors', fmtInt(tally.errors), tally.errors === 1 ? 'file not loaded' : 'files not loaded') : null,
    stat('', fmtTime(num(summary.wall_time, 0)), 'wall time'));
  add(inner, stats);

  var total = stepsPassed + stepsFailed + stepsSkipped;
  if (total > 0) {
    var meter = el('div', 'meter');
    [['passed', stepsPassed], ['failed', stepsFailed], ['skipped', stepsSkipped]].forEach(function (m) {
      if (!m[1]) return;
      var seg = el('span', m[0]);
      seg.style.width = (m[1] / total * 100) + '%';
      seg.title = fmtInt(m[1]) + ' ' + m[0];
      meter.appendChild(seg);
    });
    add(inner, meter);
  }

  var controls = el('div', 'controls');
  var tabs = el('div', 'tabs');
  tabs.setAttribute('role', 'group');
  tabs.setAttribute('aria-label', 'Show');
  var tabButtons = {};
  [['all', 'All', filesTotal], ['failed', 'Failed', tally.failed], ['skipped', 'Skipped', tally.skipped]]
    .concat(flakyKnown ? [['flaky', 'Flaky', tally.flaky]] : [])
    .forEach(function (t) {
      var b = add(el('button', null, t[1]), el('span', 'count', fmtInt(t[2])));
      b.type = 'button';
      b.dataset.filter = t[0];
      b.addEventListener('click', function () {
        state.filter = t[0];
        writeHash();
        refresh();
      });
      tabButtons[t[0]] = b;
      tabs.appendChild(b);
    });
  var search = el('label', 'search');
  search.innerHTML = '<svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true"><circle cx="7" cy="7" r="5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M11 11l3.5 3.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>';
  var input = el('input');
  input.type = 'search';
  input.placeholder = 'Search files, steps, URLs  ( / )';
  input.setAttribute('aria-label', 'Search files, steps and URLs');
  search.appendChild(input);
  var timer = 0;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      state.q = input.value;
      writeHash();
      refresh();
    }, files.length > 2000 ? 200 : 60);
  });
  var expand = el('button', 'link-button', 'Expand all');
  var collapse = el('button', 'link-button', 'Collapse all');
  expand.type = collapse.type = 'button';
  expand.addEventListener('click', function () { setAll(true); });
  collapse.addEventListener('click', function () { setAll(false); });
  var shownLabel = el('span', 'shown');
  add(controls, tabs, search, expand, collapse, shownLabel);
  add(inner, controls);
  app.appendChild(bar);

  var list = el('main');
  list.id = 'files';
  app.appendChild(list);
  var foot = el('footer', null, 'sonde ' + DATA.version + ' · ' + plural(filesTotal, 'file') + ', ' + plural(tally.steps, 'step'));
  app.appendChild(foot);

  function setAll(open) {
    openAll = open;
    fileOpen = Object.create(null);
    stepOpen = Object.create(null);
    render();
  }

  document.addEventListener('keydown', function (e) {
    if (e.key === '/' && document.activeElement !== input) {
      e.preventDefault();
      input.focus();
      input.select();
    } else if (e.key === 'Escape' && document.activeElement === input) {
      input.value = '';
      state.q = '';
      writeHash();
      refresh();
    }
  });
  window.addEventListener('hashchange', function () {
    readHash();
    input.value = state.q;
    refresh();
  });

  // ---- Files and steps. ---------------------------------------------------------------------

  function isFileOpen(v) {
    if (v.i in fileOpen) return fileOpen[v.i];
    if (openAll !== null) return openAll;
    var st = info[v.i].status;
    return st === 'failed' || st === 'error' || st === 'flaky' || v.byQuery;
  }
  function isStepOpen(k, j, s) {
    var key = k + ':' + j;
    if (key in stepOpen) return stepOpen[key];
    if (openAll !== null) return openAll;
    return s.outcome === 'failed';
  }

  function toggle(row, body, isOpen, draw, remember) {
    var wrap = row.parentNode;
    function set(open) {
      wrap.classList.toggle('open', open);
      row.setAttribute('aria-expanded', String(open));
      if (open && !body.firstChild) draw(body);
      body.hidden = !open;
    }
    set(isOpen);
    function flip() {
      var open = body.hidden;
      remember(open);
      set(open);
    }
    row.addEventListener('click', function (e) {
      if (window.getSelection && String(window.getSelection()) && e.detail > 1) return;
      flip();
    });
    row.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        flip();
      }
    });
  }

  function badgeText(status) {
    return { passed: 'pass', failed: 'fail', skipped: 'skip', flaky: 'flaky', error: 'error' }[status] || status;
  }

  function fileEl(v) {
    var k = v.i, f = full(k), inf = info[k];
    var sec = el('section', 'file st-' + inf.status);
    sec.dataset.index = k;
    var row = el('div', 'row');
    row.tabIndex = 0;
    row.setAttribute('role', 'button');
    var counts = el('span', 'counts');
    if (f.error != null) {
      counts.textContent = 'not loaded';
    } else {
      var parts = [];
      if (inf.p) parts.push(el('span', 'p', fmtInt(inf.p) + ' passed'));
      if (inf.fl) parts.push(el('span', 'f', fmtInt(inf.fl) + ' failed'));
      if (inf.sk) parts.push(el('span', 's', fmtInt(inf.sk) + ' skipped'));
      if (!parts.length) parts.push(el('span', null, 'no steps'));
      parts.forEach(function (p, n) { if (n) counts.appendChild(document.createTextNode(' · ')); counts.appendChild(p); });
    }
    var name = el('span', 'fname', f.name);
    var path = el('span', 'fpath', f.path);
    path.title = f.path;
    add(row, chevron(), el('span', 'badge ' + inf.status, badgeText(inf.status)), name, path, counts,
      el('span', 'time', f.error != null ? '' : fmtTime(f.time)));
    var body = el('div', 'steps');
    sec.appendChild(row);
    sec.appendChild(body);
    toggle(row, body, isFileOpen(v), function (b) { drawFile(b, k, v.steps); },
      function (open) { fileOpen[k] = open; });
    return sec;
  }

  function drawFile(body, k, only) {
    var f = full(k);
    if (f.error != null) {
      var d = el('div', 'detail');
      var box = add(el('div', 'problem warn'), add(el('header'), 'The file could not be loaded'), el('pre', null, f.error));
      add(d, box);
      body.appendChild(d);
      return;
    }
    (f.warnings || []).forEach(function (w) {
      body.appendChild(add(el('div', 'detail'), el('div', 'note', '⚠ ' + w)));
    });
    // --retries: the attempts that failed before the last one, each with its failed steps.
    (f.attempts || []).forEach(function (a) {
      var box = add(el('div', 'problem warn'),
        add(el('header'), 'Attempt ' + a.number + ' failed (' + fmtTime(a.time) + ')'));
      (a.steps || []).filter(function (s) { return s.outcome === 'failed'; }).forEach(function (s) {
        var failed = (s.assertions || []).filter(function (a) { return !a.passed; });
        var first = s.errors && s.errors.length ? s.errors[0]
          : failed.length
            ? failed[0].message || failed[0].assertion + ': expected ' + shown(failed[0].expected)
            : 'failed';
        box.appendChild(el('pre', null, '✗ ' + s.name + ' :' + s.line + '\n  ' + first));
      });
      body.appendChild(add(el('div', 'detail'), box));
    });
    var steps = f.steps || [];
    var idx = only || steps.map(function (_, j) { return j; }).filter(function (j) { return stepInFilter(steps[j]); });
    var frag = document.createDocumentFragment();
    idx.forEach(function (j) { frag.appendChild(stepEl(k, j, steps[j])); });
    if (idx.length < steps.length) {
      var hidden = steps.length - idx.length;
      var more = el('div', 'detail note', plural(hidden, 'more step') + ' not shown by the filter');
      frag.appendChild(more);
    }
    if (!steps.length) frag.appendChild(el('div', 'detail note', 'No step ran.'));
    body.appendChild(frag);
  }

  function stepEl(k, j, s) {
    var status = stepStatus(s);
    var wrap = el('div', 'step st-' + status);
    var row = el('div', 'row');
    row.tabIndex = 0;
    row.setAttribute('role', 'button');
    var icon = el('span', 'icon', { passed: '✓', failed: '✗', skipped: '○', flaky: '≈' }[status] || '•');
    icon.title = status;
    var x = s.exchange;
    var req = null, code = null;
    if (x) {
      req = add(el('span', 'req'), el('b', null, x.method), ' ' + x.url);
      req.title = x.method + ' ' + x.url;
      code = x.status != null
        ? el('span', 'code c' + String(x.status).charAt(0), String(x.status))
        : el('span', 'code none', 'no response');
    } else {
      req = el('span', 'spacer');
    }
    add(row, chevron(), icon, el('span', 'sname', s.name), el('span', 'line', ':' + s.line), req,
      s.tries > 1 ? el('span', 'tries', s.tries + ' tries') : null, code,
      el('span', 'time', status === 'skipped' ? '' : fmtTime(s.time)));
    var body = el('div', 'detail');
    wrap.appendChild(row);
    wrap.appendChild(body);
    toggle(row, body, isStepOpen(k, j, s), function (b) { drawStep(b, s); },
      function (open) { stepOpen[k + ':' + j] = open; });
    return wrap;
  }

  function diffEl(text) {
    var lines = text.replace(/\n$/, '').split('\n');
    var indent = Infinity;
    lines.forEach(function (l) {
      if (l.trim()) indent = Math.min(indent, l.length - l.replace(/^ +/, '').length);
    });
    if (!isFinite(indent)) indent = 0;
    var pre = el('pre', 'diff');
    lines.forEach(function (l) {
      l = l.slice(indent);
      var cls = l.indexOf('---') === 0 || l.indexOf('+++') === 0 || l.indexOf('@@') === 0 ? 'hunk'
        : l.charAt(0) === '+' ? 'add' : l.charAt(0) === '-' ? 'del'
        : l.charAt(0) === '…' || l.indexOf('...') === 0 ? 'cut' : null;
      pre.appendChild(el('span', cls, l || ' '));
    });
    return pre;
  }

  function drawStep(body, s) {
    if (s.skip_reason) body.appendChild(el('div', 'note', 'Skipped: ' + s.skip_reason));
    else if (s.outcome === 'skipped') body.appendChild(el('div', 'note', 'Skipped.'));
    (s.errors || []).forEach(function (e) {
      add(body, add(el('div', 'problem'), add(el('header'), 'Error'), el('pre', null, e)));
    });
    var held = [];
    (s.assertions || []).forEach(function (a) {
      if (a.passed) { held.push(a); return; }
      var box = el('div', 'problem');
      add(box, add(el('header'), el('span', null, a.assertion), el('span', 'line', 'line ' + a.line)));
      add(box, add(el('div', 'ea'),
        el('div', 'k', 'expected'), add(el('div', 'exp'), el('pre', null, shown(a.expected))),
        el('div', 'k', 'actual'), add(el('div', 'act'), el('pre', null,
          'actual' in a ? shown(a.actual) : 'nothing'))));
      if (a.diff) box.appendChild(diffEl(Array.isArray(a.diff) ? a.diff.join('\n') : a.diff));
      body.appendChild(box);
    });
    if (held.length) {
      var list = add(el('details', 'held'), el('summary', null, plural(held.length, 'assertion') + ' held'));
      held.forEach(function (a) {
        list.appendChild(el('pre', null, '✓ ' + a.assertion + ' (line ' + a.line + '): ' + shown(a.expected)));
      });
      body.appendChild(list);
    }
    (s.warnings || []).forEach(function (w) {
      add(body, add(el('div', 'problem warn'), add(el('header'), 'Warning'), el('pre', null, w)));
    });
    if (s.exchange) body.appendChild(exchangeEl(s.exchange));
    else if (s.outcome !== 'skipped' && !(s.errors || []).length && !(s.assertions || []).length) {
      body.appendChild(el('div', 'note', 'No request was recorded for this step.'));
    }
  }

  // An expected or actual value as the console shows it: JSON, a string in quotes.
  function shown(v) {
    return typeof v === 'object' && v !== null ? JSON.stringify(v, null, 2) : JSON.stringify(v);
  }

  function headersEl(list, label) {
    var d = el('details');
    add(d, el('summary', null, label + ' (' + list.length + ')'));
    var t = el('table', 'headers');
    list.forEach(function (h) {
      add(t, add(el('tr'), el('td', null, h[0]), el('td', null, h[1])));
    });
    d.appendChild(t);
    return d;
  }

  function prettyBody(text, type) {
    if (type && /json/i.test(type) && text.length < 200000) {
      try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* a preview, cut */ }
    }
    return text;
  }

  function exchangeEl(x) {
    var grid = el('div', 'exchange');
    var req = el('div', 'panel');
    add(req, add(el('h3'), 'Request'));
    add(req, add(el('div', 'start'), el('b', null, x.method), ' ' + x.url));
    if ((x.request_headers || []).length) req.appendChild(headersEl(x.request_headers, 'Headers'));
    var reqType = header(x.request_headers || [], 'content-type');
    if (x.request_body_preview != null) {
      var about = [];
      if (x.request_body_size) about.push(fmtBytes(x.request_body_size));
      if (reqType) about.push(reqType);
      req.appendChild(el('div', 'body-label', 'Body' + (about.length ? ': ' + about.join(', ') : '')));
      req.appendChild(el('pre', null, prettyBody(x.request_body_preview, reqType)));
    } else {
      req.appendChild(el('div', 'body-label', x.request_body_size > 0
        ? 'Body: ' + fmtBytes(x.request_body_size) + (reqType ? ', ' + reqType : '') + ' (not shown)'
        : 'No body'));
    }
    var res = el('div', 'panel');
    var h = add(el('h3'), 'Response');
    if (x.status != null) {
      add(h, el('span', 'code c' + String(x.status).charAt(0), x.status + (x.reason ? ' ' + x.reason : '')));
      add(h, el('span', 'aside', fmtTime(x.time) + ' · ' + fmtBytes(x.response_body_size || 0)));
    }
    res.appendChild(h);
    if (x.status == null) {
      res.appendChild(el('div', 'body-label', 'No response: the request did not complete.'));
    } else {
      if ((x.redirects || []).length) {
        var r = el('details');
        add(r, el('summary', null, 'Redirects (' + x.redirects.length + ')'));
        add(r, el('pre', null, x.redirects.join('\n')));
        res.appendChild(r);
      }
      if ((x.response_headers || []).length) res.appendChild(headersEl(x.response_headers, 'Headers'));
      var type = header(x.response_headers || [], 'content-type');
      if (x.response_body_preview != null && x.response_body_preview !== '') {
        res.appendChild(el('pre', null, prettyBody(x.response_body_preview, type)));
      } else if (x.response_body_size > 0) {
        res.appendChild(el('div', 'body-label', 'Body: ' + fmtBytes(x.response_body_size) +
          (type ? ', ' + type : '') + ' (not text: not shown)'));
      } else {
        res.appendChild(el('div', 'body-label', 'No body'));
      }
    }
    add(grid, req, res);
    return grid;
  }

  // ---- Drawing the list, a batch at a time. -------------------------------------------------

  var drawn = 0;
  var sentinel = null;
  var observer = 'IntersectionObserver' in window ? new IntersectionObserver(function (entries) {
    if (entries.some(function (e) { return e.isIntersecting; })) more();
  }, { rootMargin: '1200px 0px' }) : null;

  function more() {
    if (sentinel) {
      if (observer) observer.unobserve(sentinel);
      sentinel.remove();
      sentinel = null;
    }
    var end = Math.min(visible.length, drawn + BATCH);
    var frag = document.createDocumentFragment();
    for (; drawn < end; drawn++) frag.appendChild(fileEl(visible[drawn]));
    list.appendChild(frag);
    if (drawn < visible.length) {
      sentinel = el('div', 'sentinel');
      var button = el('button', 'link-button more', 'Show ' + fmtInt(Math.min(BATCH, visible.length - drawn)) + ' more of ' + fmtInt(visible.length - drawn));
      button.type = 'button';
      button.addEventListener('click', more);
      sentinel.appendChild(button);
      list.appendChild(sentinel);
      if (observer) observer.observe(sentinel);
    }
  }

  function render() {
    if (sentinel && observer) observer.unobserve(sentinel);
    sentinel = null;
    list.textContent = '';
    drawn = 0;
    if (!visible.length) {
      list.appendChild(el('div', 'empty', files.length ? 'No file matches.' : 'No file was run.'));
    } else {
      more();
    }
    shownLabel.textContent = visible.length === files.length
      ? plural(files.length, 'file')
      : fmtInt(visible.length) + ' of ' + plural(files.length, 'file');
    for (var t in tabButtons) tabButtons[t].setAttribute('aria-pressed', String(t === state.filter));
  }

  function refresh() {
    select();
    render();
  }

  readHash();
  if (state.filter === 'flaky' && !flakyKnown) state.filter = 'all';
  input.value = state.q;
  refresh();
  // When the page was ready, for tests and measurements: ms since navigation, and the part
  // spent reading the data.
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.parseMs = String(Math.round(tParsed - t0));
  document.body.dataset.scriptStartMs = String(Math.round(t0));
})();
