// The report page's script (plain ES2017, inlined; it runs in the browser, not in Node, so it
// is a string here). It draws each timeline section from the JSON beside it: a legend of the
// close reasons present, a sticky time axis, and one SVG lane per connection with its
// lifeline, request bars, and an end marker colored by close reason. Text goes in through
// textContent and attributes only, never innerHTML, so data cannot become markup.
//
// Bars closer than a pixel are merged into one (its tooltip gives the count): a lane never
// holds more rectangles than it has pixels, so 20 000 requests still draw quickly.
//
// Data format (html.ts, compactTimeline): { duration, conns: [[id, key, openedAt|null,
// closedAt|null, reason|null, served, flat]] } where flat is [start, end, firstByte, flags, …]
// with -1 for "none" and flags bit 0 = reused, bit 1 = not kept.

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var LABEL_W = 250, LANE_H = 16, BAR_H = 10, AXIS_H = 24;
  var style = JSON.parse(document.getElementById('httpool-style').textContent);

  function svg(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    for (var k in attrs) node.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function html(name, cls, parent, text) {
    var node = document.createElement(name);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function tip(node, text) { svg('title', {}, node).textContent = text; }
  function ms(t) {
    if (t >= 10000) return (t / 1000).toFixed(1) + ' s';
    if (t >= 1000) return (t / 1000).toFixed(2) + ' s';
    if (t >= 100) return t.toFixed(0) + ' ms';
    return t.toFixed(1) + ' ms';
  }
  function reasonColor(reason) {
    var r = style.reasons[reason];
    return r ? r.color : style.unknown;
  }
  function reasonMeaning(reason) {
    var r = style.reasons[reason];
    return r ? r.meaning : 'reason not known to this report';
  }
  /** An axis label with as many decimals as the step needs (0 ms, 0.5 ms, 1.25 s). */
  function tickLabel(t, step) {
    if (step >= 1000) return (t / 1000).toFixed(Math.max(0, -Math.floor(Math.log10(step / 1000) + 1e-9))) + ' s';
    return t.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) + ' ms';
  }
  /** A 1, 2 or 5 times a power of ten, giving ticks about 110 px apart. */
  function tickStep(duration, width) {
    var raw = duration / Math.max(1, width / 110);
    var pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * pow >= raw) return steps[i] * pow;
    return 10 * pow;
  }

  function legend(section, data) {
    var box = html('div', 'tl-legend', null);
    section.querySelector('.tl-legend-slot').appendChild(box);
    function item(key, color, label, count, title) {
      var it = html('span', 'tl-legend-item', box);
      it.setAttribute('data-reason', key);
      if (title) it.title = title;
      var sw = html('span', 'swatch', it);
      sw.style.background = color;
      html('span', 'label', it, label);
      if (count !== null) html('span', 'count', it, '\u00d7' + count);
    }
    var counts = {}, open = 0;
    data.conns.forEach(function (c) {
      if (c[4] === null) open++;
      else counts[c[4]] = (counts[c[4]] || 0) + 1;
    });
    item('request-first', style.first, 'request on a new connection', null, 'from gotConn to the connection handed back');
    item('request-reused', style.reused, 'request on a reused connection', null, 'from gotConn to the connection handed back');
    Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; }).forEach(function (r) {
      item(r, reasonColor(r), 'closed: ' + r, counts[r], reasonMeaning(r));
    });
    if (open > 0) item('open', style.open, 'still open when recording stopped', open, null);
  }

  function draw(section, data, zoom) {
    var host = section.querySelector('.tl-scroll');
    while (host.firstChild) host.removeChild(host.firstChild);
    var duration = Math.max(data.duration, 0.001);
    var plotW = Math.max(400, host.clientWidth - LABEL_W - 24) * zoom;
    var width = LABEL_W + plotW + 12;
    function x(t) { return LABEL_W + (Math.min(Math.max(t, 0), duration) / duration) * plotW; }

    var axisBox = html('div', 'tl-axis', host);
    var axis = svg('svg', { width: width, height: AXIS_H, 'class': 'tl-axis-svg' }, axisBox);
    var label = svg('text', { x: 6, y: 16, 'class': 'tl-tick' }, axis);
    label.textContent = 'connection (#id key)';
    var step = tickStep(duration, plotW);
    for (var t = 0; t <= duration + 1e-9; t += step) {
      svg('line', { x1: x(t), x2: x(t), y1: AXIS_H - 6, y2: AXIS_H, stroke: '#8c959f' }, axis);
      var tx = svg('text', { x: x(t) + 3, y: 14, 'class': 'tl-tick' }, axis);
      tx.textContent = tickLabel(t, step);
    }

    var lanes = svg('svg', { width: width, height: Math.max(LANE_H, data.conns.length * LANE_H), 'class': 'tl-lanes' }, host);
    for (var gx = 0; gx <= duration + 1e-9; gx += step) {
      svg('line', { x1: x(gx), x2: x(gx), y1: 0, y2: data.conns.length * LANE_H, stroke: '#eef1f4' }, lanes);
    }
    data.conns.forEach(function (c, i) {
      var id = c[0], key = c[1], openedAt = c[2], closedAt = c[3], reason = c[4], served = c[5], flat = c[6];
      var y = i * LANE_H, mid = y + LANE_H / 2;
      var endColor = reason === null ? style.open : reasonColor(reason);
      var g = svg('g', { 'class': 'tl-lane', 'data-conn': id, 'data-reason': reason === null ? 'open' : reason }, lanes);
      svg('rect', { x: 0, y: y, width: width, height: LANE_H, fill: i % 2 ? '#fafbfc' : '#ffffff', 'class': 'tl-stripe' }, g);
      var name = '#' + id + ' ' + key;
      var text = svg('text', { x: 6, y: y + 12, 'class': 'tl-label' }, g);
      text.textContent = name.length > 34 ? name.slice(0, 33) + '\u2026' : name;
      tip(text, name + '\nopened ' + (openedAt === null ? 'before recording started' : 'at ' + ms(openedAt)) +
        '\n' + (reason === null ? 'still open when recording stopped' : 'closed at ' + ms(closedAt) + ': ' + reason + ' (' + reasonMeaning(reason) + ')') +
        '\n' + served + ' request' + (served === 1 ? '' : 's') + ' served' + (served > flat.length / 4 ? ' (' + flat.length / 4 + ' recorded)' : ''));

      // The lifeline: open and idle wherever no bar covers it.
      var from = openedAt === null ? 0 : openedAt, to = closedAt === null ? duration : closedAt;
      svg('rect', { x: x(from), y: mid - 1, width: Math.max(1, x(to) - x(from)), height: 2, fill: endColor, opacity: 0.75, 'class': 'tl-life' }, g);
      if (openedAt !== null) svg('rect', { x: x(openedAt) - 1, y: y + 1, width: 1, height: LANE_H - 2, fill: '#24292f', 'class': 'tl-open-mark' }, g);

      var run = null;
      function flush() {
        if (run === null) return;
        var r = svg('rect', { x: run.x0, y: mid - BAR_H / 2, width: Math.max(2, run.x1 - run.x0), height: BAR_H, rx: 1,
          fill: run.reused ? style.reused : style.first, 'class': 'tl-req', 'data-count': run.n }, g);
        tip(r, run.n === 1
          ? 'request ' + ms(run.s) + ' \u2013 ' + (run.open ? 'in flight at stop' : ms(run.e)) + (run.fb >= 0 ? ', first byte at ' + ms(run.fb) : '') +
            (run.reused ? ', reused connection' : ', new connection') + (run.notKept ? ', connection not kept' : '')
          : run.n + ' requests ' + ms(run.s) + ' \u2013 ' + ms(run.e) + ' (closer than a pixel; zoom in to separate)');
        run = null;
      }
      for (var k = 0; k < flat.length; k += 4) {
        var s = flat[k], e = flat[k + 1] < 0 ? duration : flat[k + 1], flags = flat[k + 3];
        var x0 = x(s), x1 = x(e);
        // Merge into the previous bar when closer than a pixel, unless one is the
        // connection's first request (new and reused requests keep their own colors).
        if (run !== null && x0 - run.x1 < 1 && run.reused === ((flags & 1) === 1)) {
          run.x1 = Math.max(run.x1, x1); run.e = Math.max(run.e, e); run.n++;
          continue;
        }
        flush();
        run = { x0: x0, x1: x1, s: s, e: e, fb: flat[k + 2], n: 1, reused: (flags & 1) === 1, notKept: (flags & 2) === 2, open: flat[k + 1] < 0 };
      }
      flush();

      if (closedAt !== null) {
        var end = svg('rect', { x: x(closedAt) - 2, y: y + 2, width: 4, height: LANE_H - 4, fill: endColor, 'class': 'tl-end', 'data-reason': reason }, g);
        tip(end, 'closed at ' + ms(closedAt) + ': ' + reason + ' (' + reasonMeaning(reason) + ')');
      } else {
        var xe = x(duration);
        var arrow = svg('path', { d: 'M' + (xe - 7) + ' ' + (y + 3) + ' L' + xe + ' ' + mid + ' L' + (xe - 7) + ' ' + (y + LANE_H - 3) + ' Z',
          fill: style.open, 'class': 'tl-end tl-still-open', 'data-reason': 'open' }, g);
        tip(arrow, 'still open when recording stopped');
      }
    });
  }

  var sections = document.querySelectorAll('section.timeline');
  Array.prototype.forEach.call(sections, function (section) {
    var data = JSON.parse(section.querySelector('script.tl-data').textContent);
    legend(section, data);
    var zoom = section.querySelector('select.tl-zoom');
    draw(section, data, Number(zoom.value));
    zoom.addEventListener('change', function () { draw(section, data, Number(zoom.value)); });
  });
  // For tests and tools: the script ran to the end.
  document.body.setAttribute('data-timelines-drawn', String(sections.length));
})();
`;
