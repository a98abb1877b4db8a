// TEE Ledger dashboard: renders /api/v1/dashboard/snapshot, live through the SSE stream
// /api/v1/dashboard/events, falling back to polling the snapshot when EventSource fails.
(function () {
  'use strict';
  var API = '../api/v1/dashboard/';
  var pollTimer = null;

  function short(id) { return id ? id.substring(0, 12) + '\u2026' : '-'; }
  function fmt(n) { return n === null || n === undefined ? '-' : Number(n).toLocaleString('en'); }
  function cell(text, cls, title) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) { td.className = cls; }
    if (title) { td.title = title; }
    return td;
  }
  function fill(tableId, rows, toCells) {
    var body = document.querySelector('#' + tableId + ' tbody');
    body.textContent = '';
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      toCells(r).forEach(function (td) { tr.appendChild(td); });
      if (r.id !== undefined) { tr.dataset.id = r.id; }
      body.appendChild(tr);
    });
  }

  function render(s) {
    document.getElementById('chain-id').textContent = s.chain_id || '-';
    document.getElementById('chain-height').textContent = s.chain_height;
    document.getElementById('indexed-height').textContent = s.indexed_height;
    var err = document.getElementById('chain-error');
    err.hidden = !s.chain_error;
    err.textContent = s.chain_error || '';
    var counts = s.hsm_counts || {};
    document.getElementById('hsm-counts').textContent =
      Object.keys(counts).map(function (k) { return k.toLowerCase() + ' ' + counts[k]; }).join(' \u00b7 ');
    fill('hsms', s.hsms || [], function (h) {
      return [cell(short(h.id), 'id', h.id), cell(h.state, 'state-' + h.state), cell(h.manufacturer || short(h.manufacturer_id), '', h.manufacturer_id)];
    });
    fill('open-rounds', s.open_rounds || [], function (r) {
      return [cell('#' + r.id), cell(short(r.testee), 'id', r.testee), cell(r.kind || '-'),
        cell(r.committee_size ? r.committee_size + ' (quorum ' + r.quorum_votes + ')' : '-'), cell(String(r.votes)), cell(fmt(r.deadline_height))];
    });
    fill('closed-rounds', s.recent_rounds || [], function (r) {
      return [cell('#' + r.id), cell(short(r.testee), 'id', r.testee), cell(r.kind || '-'),
        cell(r.outcome, 'outcome-' + r.outcome), cell(String(r.votes)), cell(fmt(r.closed_height))];
    });
    var c = s.credit || {};
    document.getElementById('credit-total').textContent = fmt(c.total);
    document.getElementById('credit-cap').textContent = fmt(c.cap);
    document.getElementById('credit-share').textContent = c.total === undefined || !c.cap ? '-' : (100 * c.total / c.cap).toFixed(2) + ' %';
    document.getElementById('credit-accounts').textContent = fmt(c.accounts);
    fill('normalizations', c.normalizations || [], function (n) {
      return [cell(fmt(n.height)), cell(fmt(n.old_total)), cell(fmt(n.new_total)), cell(n.factor)];
    });
    chart(c);
  }

  // Total over height (line), the cap (dashed), normalizations (vertical marks).
  function chart(c) {
    var svg = document.getElementById('credit-chart');
    var ns = 'http://www.w3.org/2000/svg';
    svg.textContent = '';
    var pts = c.history || [];
    if (!c.cap) { return; }
    var minH = pts.length ? pts[0].height : 0, maxH = pts.length ? pts[pts.length - 1].height : 1;
    if (maxH === minH) { maxH = minH + 1; }
    var top = Math.max(c.cap * 1.15, Math.max.apply(null, pts.map(function (p) { return p.total; }).concat([0])));
    function x(h) { return 600 * (h - minH) / (maxH - minH); }
    function y(v) { return 200 - 200 * v / top; }
    function el(name, attrs) {
      var e = document.createElementNS(ns, name);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      svg.appendChild(e);
      return e;
    }
    el('line', {x1: 0, x2: 600, y1: y(c.cap), y2: y(c.cap), stroke: '#b3261e', 'stroke-dasharray': '6 4'});
    (c.normalizations || []).forEach(function (n) {
      if (n.height >= minH && n.height <= maxH) {
        el('line', {x1: x(n.height), x2: x(n.height), y1: 0, y2: 200, stroke: '#8a6d00'});
      }
    });
    function label(text, lx, ly, anchor) {
      var t = el('text', {x: lx, y: ly, 'font-size': 11, fill: '#555', 'text-anchor': anchor || 'start'});
      t.textContent = text;
    }
    label('cap ' + fmt(c.cap), 4, Math.max(12, y(c.cap) - 4));
    if (pts.length) {
      label('height ' + fmt(minH), 4, 196);
      label(fmt(pts[pts.length - 1].height), 596, 196, 'end');
      label('total ' + fmt(pts[pts.length - 1].total), 596, Math.min(178, Math.max(12, y(pts[pts.length - 1].total) - 4)), 'end');
      el('polyline', {fill: 'none', stroke: '#1f5fbf', 'stroke-width': 2,
        points: pts.map(function (p) { return x(p.height) + ',' + y(p.total); }).join(' ')});
    }
  }

  function status(text) { document.getElementById('connection').textContent = text; }

  function poll() {
    fetch(API + 'snapshot').then(function (r) { return r.json(); }).then(function (s) { render(s); status('polling'); })
      .catch(function () { status('offline'); });
  }

  function startPolling() {
    if (pollTimer === null) {
      poll();
      pollTimer = setInterval(poll, 2000);
    }
  }

  if (window.EventSource) {
    var es = new EventSource(API + 'events');
    es.onmessage = function (ev) { render(JSON.parse(ev.data)); status('live'); };
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED) { startPolling(); } else { status('reconnecting'); }
    };
  } else {
    startPolling();
  }
  poll();
}());
