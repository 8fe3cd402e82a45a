/**
 * The report's own browser script, run after chart.js. It reads the data embedded in
 * `<script type="application/json" id="loadlab-data">` ({@link ReportChartData}) and draws every
 * chart; each time chart shares one x axis (seconds since the load started, [0, end]) so a spike
 * can be followed down the page. Each one-second window [t, t+1) is plotted at its middle.
 *
 *   phaseBands plugin: phases as alternating labelled bands, on every time chart
 *   faultBands plugin: fault windows as hatched red boxes, on every time chart; the boxes drawn
 *                      are kept on the chart (`chart.$loadlabFaultBoxes`) for the browser test
 *   charts: throughput & errors · latency · breaker & retries · event loop · memory & GC ·
 *           pool & cache (time charts) · spectrum (log x) · latency against throughput (scatter)
 *   breaker state is drawn as a step, with half-open between closed and open (up is worse):
 *           closed 0 → row 0, half-open 2 → row 1, open 1 → row 2
 *   every time chart has the same axis widths (and padding for missing right axes), so the same
 *   second is at the same x in each
 *
 * A service figure missing in a second is a gap (null), never a zero.
 */
export const chartsScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('loadlab-data').textContent);
  var series = data.series;
  var phases = data.phases;
  var faults = data.faults || [];
  if (typeof Chart === 'undefined') return;
  var charts = {};
  window.loadlabCharts = charts;

  var end = series.length === 0 ? 1 : series[series.length - 1].t + 1;
  phases.forEach(function (p) { end = Math.max(end, p.endS); });

  function clipTo(chart, left, right, draw) {
    var x = chart.scales.x;
    var area = chart.chartArea;
    var l = Math.max(x.getPixelForValue(left), area.left);
    var r = Math.min(x.getPixelForValue(right), area.right);
    if (r <= l) return null;
    var ctx = chart.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(l, area.top, r - l, area.bottom - area.top);
    ctx.clip();
    draw(ctx, l, r, area);
    ctx.restore();
    return { left: l, right: r, top: area.top, bottom: area.bottom };
  }

  var phaseBands = {
    id: 'phaseBands',
    beforeDatasetsDraw: function (chart) {
      phases.forEach(function (phase, i) {
        clipTo(chart, phase.startS, phase.endS, function (ctx, l, r, area) {
          ctx.fillStyle = i % 2 === 0 ? 'rgba(37, 99, 235, 0.06)' : 'rgba(100, 116, 139, 0.10)';
          ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
          ctx.fillStyle = '#475569';
          ctx.font = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
          ctx.textBaseline = 'top';
          ctx.fillText(phase.name, l + 4, area.top + 4);
        });
      });
    }
  };

  var faultBands = {
    id: 'faultBands',
    beforeDatasetsDraw: function (chart) {
      var boxes = [];
      faults.forEach(function (fault) {
        var box = clipTo(chart, fault.startS, fault.endS, function (ctx, l, r, area) {
          ctx.fillStyle = 'rgba(220, 38, 38, 0.12)';
          ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
          ctx.strokeStyle = 'rgba(220, 38, 38, 0.35)';
          ctx.lineWidth = 1;
          for (var x = l - (area.bottom - area.top); x < r; x += 8) {
            ctx.beginPath();
            ctx.moveTo(x, area.bottom);
            ctx.lineTo(x + (area.bottom - area.top), area.top);
            ctx.stroke();
          }
          ctx.fillStyle = '#b91c1c';
          ctx.font = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
          ctx.textBaseline = 'bottom';
          ctx.fillText(fault.label, l + 4, area.bottom - 4);
        });
        if (box) boxes.push({ label: fault.label, startS: fault.startS, endS: fault.endS, left: box.left, right: box.right });
      });
      chart.$loadlabFaultBoxes = boxes;
    }
  };

  function get(p, path) {
    var v = p;
    for (var i = 0; i < path.length; i++) {
      if (v === undefined || v === null) return null;
      v = v[path[i]];
    }
    return typeof v === 'number' ? v : null;
  }

  function line(label, color, pick, extra) {
    var dataset = {
      label: label,
      data: series.map(function (p) { return { x: p.t + 0.5, y: pick(p) }; }),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1.5,
      pointRadius: 0,
      pointHitRadius: 6,
      spanGaps: false
    };
    for (var key in extra) dataset[key] = extra[key];
    return dataset;
  }

  function options(scales, tooltipTitle, extraLabel) {
    return {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: scales,
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: { callbacks: { title: tooltipTitle, label: extraLabel } }
      }
    };
  }

  function timeChart(id, datasets, scales, extraLabel) {
    var canvas = document.getElementById(id);
    if (!canvas) return null;
    scales.x = {
      type: 'linear', min: 0, max: end,
      title: { display: true, text: 'seconds since load started' },
      ticks: { precision: 0 }
    };
    var title = function (items) {
      var t = series[items[0].dataIndex].t;
      return t + '–' + (t + 1) + ' s';
    };
    var label = function (item) {
      var text = item.dataset.label + ': ' + item.formattedValue;
      return extraLabel ? extraLabel(item, text) : text;
    };
    // Fixed axis widths, and padding for missing right axes, give every time chart the same
    // plot area left and right, so one second sits at the same x all down the page.
    var rightAxes = 0;
    Object.keys(scales).forEach(function (key) {
      if (key === 'x') return;
      var right = scales[key].position === 'right';
      if (right) rightAxes++;
      scales[key].afterFit = function (scale) { scale.width = right ? axisWidth.right : axisWidth.left; };
    });
    var config = options(scales, title, label);
    config.layout = { padding: { right: (maxRightAxes - rightAxes) * axisWidth.right } };
    charts[id] = new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      plugins: [phaseBands, faultBands],
      options: config
    });
    return charts[id];
  }

  var axisWidth = { left: 72, right: 60 };
  var maxRightAxes = data.hasService ? 2 : 1;

  function axis(text, position, extra) {
    var a = { beginAtZero: true, title: { display: true, text: text } };
    if (position === 'right') { a.position = 'right'; a.grid = { drawOnChartArea: false }; }
    for (var key in extra) a[key] = extra[key];
    return a;
  }

  if (series.length > 0) {
    timeChart('throughput-chart', [
      line('responses/s', '#2563eb', function (p) { return p.rps; }, {}),
      line('errors/s', '#dc2626', function (p) { return p.errors; }, { yAxisID: 'y1' })
    ], { y: axis('responses/s'), y1: axis('errors/s', 'right') }, function (item, text) {
      if (item.dataset.yAxisID !== 'y1') return text;
      var byKind = series[item.dataIndex].errorsByKind || {};
      var parts = Object.keys(byKind).filter(function (k) { return byKind[k] > 0; })
        .map(function (k) { return k + ' ' + byKind[k]; });
      return parts.length === 0 ? text : text + ' (' + parts.join(', ') + ')';
    });

    var latency = timeChart('latency-chart', [
      line('p50', '#16a34a', function (p) { return p.latencyMs.p50; }, {}),
      line('p90', '#ca8a04', function (p) { return p.latencyMs.p90; }, {}),
      line('p99', '#ea580c', function (p) { return p.latencyMs.p99; }, {}),
      line('max', '#94a3b8', function (p) { return p.latencyMs.max; }, { borderDash: [4, 3] })
    ], { y: axis('ms') });
    var toggle = document.getElementById('latency-log');
    if (latency && toggle) {
      toggle.addEventListener('change', function (event) {
        latency.options.scales.y.type = event.target.checked ? 'logarithmic' : 'linear';
        latency.options.scales.y.beginAtZero = !event.target.checked;
        latency.update();
      });
    }
  }

  // Flows: each step's p99 per second, one line a step.
  var steps = data.steps || [];
  if (series.length > 0 && steps.length > 0) {
    var palette = ['#2563eb', '#ea580c', '#16a34a', '#7c3aed', '#dc2626', '#0891b2', '#ca8a04', '#db2777'];
    timeChart('steps-chart', steps.map(function (s, i) {
      var color = palette[i % palette.length];
      return {
        label: s.name + ' p99',
        data: s.p99.slice(0, series.length).map(function (y, t) { return { x: t + 0.5, y: y }; }),
        borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: 0, pointHitRadius: 6, spanGaps: false
      };
    }), { y: axis('ms') });
  }

  // The recommendations breaker and retries, beside the latency: the state as a step (rows
  // closed, half-open, open), retries per second, and p99 latency to read them against.
  var breakerRows = { 0: 0, 2: 1, 1: 2 };
  var breakerNames = ['closed', 'half-open', 'open'];
  if (series.length > 0 && (data.hasBreaker || data.hasRetries)) {
    var breakerSets = [];
    var breakerScales = {};
    var retriesAxis = data.hasBreaker ? 'y1' : 'y';
    if (data.hasBreaker) {
      breakerSets.push(line('breaker state', '#7c3aed', function (p) {
        var v = get(p, ['service', 'breakerState']);
        return v === null || breakerRows[v] === undefined ? null : breakerRows[v];
      }, { stepped: 'middle', fill: 'origin', backgroundColor: 'rgba(124, 58, 237, 0.18)', borderWidth: 2 }));
      breakerScales.y = axis('breaker', 'left', {
        min: 0, max: 2,
        ticks: { stepSize: 1, autoSkip: false, callback: function (v) { return breakerNames[v] || ''; } }
      });
    }
    if (data.hasRetries) {
      breakerSets.push(line('retries/s', '#ea580c', function (p) { return get(p, ['service', 'retries']); }, { yAxisID: retriesAxis }));
      breakerScales[retriesAxis] = axis('retries/s', retriesAxis === 'y' ? 'left' : 'right');
    }
    breakerSets.push(line('latency p99 (ms)', '#94a3b8', function (p) { return p.requests > 0 ? p.latencyMs.p99 : null; }, { yAxisID: 'y2', borderDash: [4, 3] }));
    breakerScales.y2 = axis('p99, ms', 'right');
    timeChart('breaker-chart', breakerSets, breakerScales, function (item, text) {
      if (item.dataset.label !== 'breaker state') return text;
      var v = get(series[item.dataIndex], ['service', 'breakerState']);
      return 'breaker: ' + (v === null ? 'no sample' : breakerNames[breakerRows[v]] || String(v));
    });
  }

  var spectrum = data.spectrum || [];
  var spectrumCanvas = document.getElementById('spectrum-chart');
  if (spectrumCanvas && spectrum.length > 0) {
    var names = { 1: 'p0', 10: 'p90', 100: 'p99', 1000: 'p99.9', 10000: 'p99.99' };
    charts['spectrum-chart'] = new Chart(spectrumCanvas, {
      type: 'line',
      data: { datasets: [{
        label: 'latency at percentile (whole run)',
        data: spectrum.map(function (s) { return { x: s.x, y: s.ms, percentile: s.percentile }; }),
        borderColor: '#7c3aed', backgroundColor: '#7c3aed', borderWidth: 1.5, pointRadius: 2, stepped: false
      }] },
      options: options({
        x: { type: 'logarithmic', min: 1, max: 10000, title: { display: true, text: 'percentile' },
          ticks: { callback: function (v) { return names[v] || ''; }, autoSkip: false } },
        y: axis('ms')
      }, function (items) { return 'p' + items[0].raw.percentile; }, null)
    });
  }

  // Latency against throughput: one point per second with responses, p50 and p99 at its
  // responses/s; seconds inside a fault window get their own (red) series.
  var scatterCanvas = document.getElementById('latency-throughput-chart');
  if (scatterCanvas && data.hasResponses) {
    var inFault = function (p) {
      var mid = p.t + 0.5;
      return faults.some(function (f) { return mid >= f.startS && mid < f.endS; });
    };
    var points = function (pick, faulted) {
      return series.filter(function (p) { return p.requests > 0 && inFault(p) === faulted; })
        .map(function (p) { return { x: p.rps, y: pick(p), t: p.t }; });
    };
    var p50 = function (p) { return p.latencyMs.p50; };
    var p99 = function (p) { return p.latencyMs.p99; };
    var dot = function (label, color, shape, values) {
      return { label: label, data: values, borderColor: color, backgroundColor: color, pointStyle: shape, pointRadius: 3, pointHoverRadius: 5 };
    };
    var scatterSets = [dot('p50', '#16a34a', 'circle', points(p50, false)), dot('p99', '#ea580c', 'circle', points(p99, false))];
    var faultP50 = points(p50, true);
    if (faultP50.length > 0) {
      scatterSets.push(dot('p50, in a fault window', '#0f766e', 'triangle', faultP50));
      scatterSets.push(dot('p99, in a fault window', '#dc2626', 'triangle', points(p99, true)));
    }
    var scatterOptions = options({
      x: { type: 'linear', beginAtZero: true, title: { display: true, text: 'responses/s in the second' } },
      y: axis('latency, ms')
    }, function (items) {
      var raw = items[0].raw;
      return raw.t + '–' + (raw.t + 1) + ' s';
    }, function (item) {
      return item.dataset.label + ': ' + item.formattedValue + ' ms at ' + item.raw.x + ' responses/s';
    });
    scatterOptions.interaction = { mode: 'nearest', intersect: true };
    var scatterChart = charts['latency-throughput-chart'] = new Chart(scatterCanvas, {
      type: 'scatter',
      data: { datasets: scatterSets },
      options: scatterOptions
    });
    var scatterLog = document.getElementById('latency-throughput-log');
    if (scatterLog) {
      scatterLog.addEventListener('change', function (event) {
        scatterChart.options.scales.y.type = event.target.checked ? 'logarithmic' : 'linear';
        scatterChart.options.scales.y.beginAtZero = !event.target.checked;
        scatterChart.update();
      });
    }
  }

  if (!data.hasService) return;
  timeChart('eventloop-chart', [
    line('delay p50 (ms)', '#16a34a', function (p) { return get(p, ['service', 'eventLoopDelayMs', 'p50']); }, {}),
    line('delay p99 (ms)', '#ea580c', function (p) { return get(p, ['service', 'eventLoopDelayMs', 'p99']); }, {}),
    line('delay max (ms)', '#94a3b8', function (p) { return get(p, ['service', 'eventLoopDelayMs', 'max']); }, { borderDash: [4, 3] }),
    line('utilisation (%)', '#2563eb', function (p) { var v = get(p, ['service', 'elu']); return v === null ? null : v * 100; }, { yAxisID: 'y1' }),
    line('CPU user (% of a core)', '#0891b2', function (p) { return get(p, ['service', 'cpuUserPct']); }, { yAxisID: 'y1', borderDash: [2, 2] }),
    line('generator utilisation (%)', '#a21caf', function (p) { var v = get(p, ['generator', 'elu']); return v === null ? null : v * 100; }, { yAxisID: 'y1', borderDash: [6, 3], hidden: !data.hasGenerator })
  ], { y: axis('event-loop delay, ms'), y1: axis('%', 'right', { suggestedMax: 100 }) });

  var mb = function (path) { return function (p) { var v = get(p, path); return v === null ? null : v / 1048576; }; };
  timeChart('memory-chart', [
    line('heap used (MB)', '#2563eb', mb(['service', 'heapUsedBytes']), {}),
    line('heap total (MB)', '#93c5fd', mb(['service', 'heapTotalBytes']), {}),
    line('RSS (MB)', '#0f172a', mb(['service', 'rssBytes']), {}),
    line('external (MB)', '#64748b', mb(['service', 'externalBytes']), { borderDash: [4, 3] }),
    line('GC pause (ms in the second)', '#dc2626', function (p) { return get(p, ['service', 'gcPauseMs']); }, { yAxisID: 'y1', stepped: 'middle' })
  ], { y: axis('MB'), y1: axis('GC pause, ms/s', 'right') }, function (item, text) {
    if (item.dataset.yAxisID !== 'y1') return text;
    var byKind = (series[item.dataIndex].service || {}).gcByKind || {};
    var parts = Object.keys(byKind).map(function (k) { return k + ' ' + byKind[k].count + '× ' + byKind[k].pauseMs + ' ms'; });
    return parts.length === 0 ? text : text + ' (' + parts.join(', ') + ')';
  });

  var cacheKinds = data.cacheKinds || [];
  var cacheColors = { hit: '#16a34a', miss: '#dc2626', coalesced: '#ca8a04', stale: '#7c3aed', negative: '#64748b' };
  timeChart('pool-chart', [
    line('pool in use', '#2563eb', function (p) { return get(p, ['service', 'pool', 'inUse']); }, {}),
    line('pool idle', '#93c5fd', function (p) { return get(p, ['service', 'pool', 'idle']); }, { borderDash: [4, 3] }),
    line('pool waiting', '#dc2626', function (p) { return get(p, ['service', 'pool', 'waiting']); }, {}),
    line('in flight', '#0f172a', function (p) { return get(p, ['service', 'inFlight']); }, {}),
    line('acquire wait p99 (ms)', '#ea580c', function (p) { return get(p, ['service', 'pool', 'acquireWaitP99Ms']); }, { yAxisID: 'y2' }),
    line('shed/s', '#b91c1c', function (p) { return get(p, ['service', 'shed']); }, { yAxisID: 'y1', borderDash: [2, 2] })
  ].concat(cacheKinds.map(function (kind) {
    return line('cache ' + kind + '/s', cacheColors[kind] || '#475569', function (p) { return get(p, ['service', 'cache', kind]); }, { yAxisID: 'y1', borderDash: [6, 3] });
  })), { y: axis('connections, requests'), y1: axis('per second', 'right'), y2: axis('ms', 'right') });
})();
`;
