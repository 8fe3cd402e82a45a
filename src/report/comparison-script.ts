/**
 * The comparison report's browser script, run after chart.js. It reads {@link ComparisonChartData}
 * from `<script type="application/json" id="loadlab-comparison-data">` and draws:
 *
 *   latency-time-chart: per second since the load started, each side's median over its runs of
 *     p99 (solid) and p50 (dashed), and every run's p99 as a faint line of the side's colour
 *     (left out of the legend); each one-second window [t, t+1) is plotted at its middle.
 *   spectrum-chart: each side's latency by percentile (its runs' histograms added), on the run
 *     report's log axis.
 *
 * The charts are kept on `window.loadlabCharts` for the browser test.
 */
export const comparisonScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('loadlab-comparison-data').textContent);
  if (typeof Chart === 'undefined') return;
  var charts = {};
  window.loadlabCharts = charts;

  function faint(color) {
    var n = parseInt(color.slice(1), 16);
    return 'rgba(' + (n >> 16) + ', ' + ((n >> 8) & 255) + ', ' + (n & 255) + ', 0.28)';
  }
  function points(seconds, key) {
    return seconds.map(function (s) { return { x: s.t + 0.5, y: s[key], t: s.t }; });
  }
  function axis(text) { return { beginAtZero: true, title: { display: true, text: text } }; }

  var sets = [];
  data.sides.forEach(function (side) {
    sets.push({ label: side.label + ' p99 (median of runs)', data: points(side.median, 'p99'),
      borderColor: side.color, backgroundColor: side.color, borderWidth: 2.5, pointRadius: 0, pointHitRadius: 6, spanGaps: false });
    sets.push({ label: side.label + ' p50 (median of runs)', data: points(side.median, 'p50'),
      borderColor: side.color, backgroundColor: side.color, borderWidth: 1.5, borderDash: [5, 4], pointRadius: 0, pointHitRadius: 6, spanGaps: false });
  });
  data.sides.forEach(function (side) {
    side.runs.forEach(function (run, i) {
      sets.push({ label: side.label + ' run ' + (i + 1) + ' p99', data: points(run, 'p99'), perRun: true,
        borderColor: faint(side.color), backgroundColor: faint(side.color), borderWidth: 1, pointRadius: 0, pointHitRadius: 3, spanGaps: false });
    });
  });

  var timeCanvas = document.getElementById('latency-time-chart');
  if (timeCanvas) {
    var time = charts['latency-time-chart'] = new Chart(timeCanvas, {
      type: 'line',
      data: { datasets: sets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false, axis: 'x' },
        scales: {
          x: { type: 'linear', min: 0, max: data.end, title: { display: true, text: 'seconds since load started' }, ticks: { precision: 0 } },
          y: axis('latency, ms')
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12, filter: function (item, chart) { return !chart.datasets[item.datasetIndex].perRun; } } },
          tooltip: { callbacks: {
            title: function (items) { var t = items[0].raw.t; return t + '–' + (t + 1) + ' s'; },
            label: function (item) { return item.dataset.label + ': ' + item.formattedValue + ' ms'; }
          } }
        }
      }
    });
    var toggle = document.getElementById('latency-time-log');
    if (toggle) {
      toggle.addEventListener('change', function (event) {
        time.options.scales.y.type = event.target.checked ? 'logarithmic' : 'linear';
        time.options.scales.y.beginAtZero = !event.target.checked;
        time.update();
      });
    }
  }

  var spectra = data.sides.filter(function (s) { return s.spectrum.length > 0; });
  var spectrumCanvas = document.getElementById('spectrum-chart');
  if (spectrumCanvas && spectra.length > 0) {
    var names = { 1: 'p0', 10: 'p90', 100: 'p99', 1000: 'p99.9', 10000: 'p99.99' };
    charts['spectrum-chart'] = new Chart(spectrumCanvas, {
      type: 'line',
      data: { datasets: spectra.map(function (side) {
        return {
          label: side.label + ' (' + side.runs.length + ' run' + (side.runs.length === 1 ? '' : 's') + ' added)',
          data: side.spectrum.map(function (s) { return { x: s.x, y: s.ms, percentile: s.percentile }; }),
          borderColor: side.color, backgroundColor: side.color, borderWidth: 1.5, pointRadius: 2
        };
      }) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
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
