/**
 * The overlay report's browser script, run after chart.js. It reads {@link OverlayChartData}
 * from `<script type="application/json" id="loadlab-overlay-data">` and draws two charts:
 *
 *   latency-throughput-chart: per variant, p99 (solid, filled marks) and p50 (dashed, small
 *     marks) against achieved responses/s; a line joins a variant's points when they are steps
 *     at different offered rates; an SLO miss is a diamond, a generator-limited run a cross;
 *     the Pareto front is a dashed black line, each knee a star. Clicking a run's mark opens
 *     that run's own report.
 *   spectrum-chart: each variant's latency by percentile on the run report's log axis.
 *
 * The charts are kept on `window.loadlabCharts` for the browser test.
 */
export const overlayScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('loadlab-overlay-data').textContent);
  if (typeof Chart === 'undefined') return;
  var charts = {};
  window.loadlabCharts = charts;

  function pct(v) { return Math.round(v * 10000) / 100 + '%'; }
  function shape(p) { return p.limit !== null ? 'crossRot' : p.sloHeld === false ? 'rectRot' : 'circle'; }
  function axis(text, extra) {
    var a = { beginAtZero: true, title: { display: true, text: text } };
    for (var key in extra) a[key] = extra[key];
    return a;
  }

  var sets = [];
  data.variants.forEach(function (v) {
    if (v.points.length === 0) return;
    var suffix = v.onPareto ? ' (Pareto front)' : '';
    var pick = function (key) {
      return v.points.map(function (p) { return { x: p.x, y: p[key], point: p, variant: v.name, which: key }; });
    };
    sets.push({
      label: v.name + ' p99' + suffix, data: pick('p99'), showLine: v.line,
      borderColor: v.color, backgroundColor: v.color, borderWidth: 2,
      pointStyle: v.points.map(shape), pointRadius: 5, pointHoverRadius: 7
    });
    sets.push({
      label: v.name + ' p50', data: pick('p50'), showLine: v.line, borderDash: [5, 4],
      borderColor: v.color, backgroundColor: '#ffffff', borderWidth: 1.5,
      pointStyle: v.points.map(shape), pointRadius: 3, pointHoverRadius: 5
    });
  });
  if (data.pareto.length > 0) {
    sets.push({
      label: 'Pareto front', data: data.pareto.map(function (p) { return { x: p.x, y: p.y, variant: p.variant }; }),
      showLine: true, borderColor: '#0f172a', backgroundColor: 'rgba(15, 23, 42, 0.12)', borderDash: [2, 3],
      borderWidth: 1.5, pointStyle: 'rect', pointRadius: 7, pointHoverRadius: 8
    });
  }
  if (data.knees.length > 0) {
    sets.push({
      label: 'knee', data: data.knees.map(function (k) { return { x: k.x, y: k.y, variant: k.variant, method: k.method }; }),
      showLine: false, borderColor: '#b91c1c', backgroundColor: '#fecaca', borderWidth: 2,
      pointStyle: 'star', pointRadius: 10, pointHoverRadius: 12
    });
  }

  function describe(raw) {
    if (raw.point) {
      var p = raw.point;
      var lines = [raw.variant + ', run ' + p.run + ': ' + raw.which + ' ' + raw.y + ' ms at ' + p.x + ' responses/s'];
      if (p.offered !== null) lines.push('offered ' + p.offered + ' requests/s');
      lines.push('p50 ' + p.p50 + ' ms, p99 ' + p.p99 + ' ms, errors ' + pct(p.errorRate));
      if (p.sloHeld !== null) lines.push(p.sloHeld ? 'SLO held' : 'SLO missed');
      if (p.limit !== null) lines.push('limited by the generator: ' + p.limit);
      if (p.href !== null) lines.push('click to open its report');
      return lines;
    }
    if (raw.method) return ['knee of ' + raw.variant + ': p99 ' + raw.y + ' ms at ' + raw.x + ' responses/s', raw.method];
    return [raw.variant + ' on the Pareto front: p99 ' + raw.y + ' ms at ' + raw.x + ' responses/s'];
  }

  var curveCanvas = document.getElementById('latency-throughput-chart');
  if (curveCanvas && sets.length > 0) {
    var curve = charts['latency-throughput-chart'] = new Chart(curveCanvas, {
      type: 'scatter',
      data: { datasets: sets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: true },
        scales: {
          x: axis('achieved responses/s'),
          y: axis('latency, ms')
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } },
          tooltip: { callbacks: {
            title: function () { return ''; },
            label: function (item) { return describe(item.raw); }
          } }
        },
        onHover: function (event, elements) {
          var href = elements.length > 0 ? hrefAt(elements[0]) : null;
          event.native.target.style.cursor = href ? 'pointer' : 'default';
        },
        onClick: function (event, elements) {
          var href = elements.length > 0 ? hrefAt(elements[0]) : null;
          if (href) window.location.href = href;
        }
      }
    });
    var hrefAt = function (element) {
      var raw = curve.data.datasets[element.datasetIndex].data[element.index];
      return raw && raw.point ? raw.point.href : null;
    };
    var toggle = document.getElementById('latency-throughput-log');
    if (toggle) {
      toggle.addEventListener('change', function (event) {
        curve.options.scales.y.type = event.target.checked ? 'logarithmic' : 'linear';
        curve.options.scales.y.beginAtZero = !event.target.checked;
        curve.update();
      });
    }
  }

  var spectra = data.variants.filter(function (v) { return v.spectrum.length > 0; });
  var spectrumCanvas = document.getElementById('spectrum-chart');
  if (spectrumCanvas && spectra.length > 0) {
    var names = { 1: 'p0', 10: 'p90', 100: 'p99', 1000: 'p99.9', 10000: 'p99.99' };
    charts['spectrum-chart'] = new Chart(spectrumCanvas, {
      type: 'line',
      data: { datasets: spectra.map(function (v) {
        return {
          label: v.name,
          data: v.spectrum.map(function (s) { return { x: s.x, y: s.ms, percentile: s.percentile }; }),
          borderColor: v.color, backgroundColor: v.color, borderWidth: 1.5, pointRadius: 1.5
        };
      }) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'logarithmic', min: 1, max: 10000, title: { display: true, text: 'percentile' },
            ticks: { callback: function (v) { return names[v] || ''; }, autoSkip: false } },
          y: axis('ms')
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12 } },
          tooltip: { callbacks: {
            title: function (items) { return 'p' + items[0].raw.percentile; },
            label: function (item) { return item.dataset.label + ': ' + item.formattedValue + ' ms'; }
          } }
        }
      }
    });
  }
})();
`;
