/**
 * The report's own browser script, run after chart.js. It reads the data embedded in
 * `<script type="application/json" id="loadlab-data">` ({ series, phases }) and draws two charts
 * on one time axis (seconds since the load started): throughput (responses and errors per
 * second, the errors' kinds in the tooltip) and latency (p50, p90, p99 and max per second).
 * Each one-second window [t, t+1) is plotted at its middle, t + 0.5. The phases are shaded as
 * labelled background bands by a tiny inline chart.js plugin.
 */
export const chartsScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('loadlab-data').textContent);
  var series = data.series;
  var phases = data.phases;
  if (series.length === 0 || typeof Chart === 'undefined') return;

  var end = series[series.length - 1].t + 1;
  phases.forEach(function (p) { end = Math.max(end, p.endS); });

  var phaseBands = {
    id: 'phaseBands',
    beforeDatasetsDraw: function (chart) {
      var x = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      phases.forEach(function (phase, i) {
        var left = Math.max(x.getPixelForValue(phase.startS), area.left);
        var right = Math.min(x.getPixelForValue(phase.endS), area.right);
        if (right <= left) return;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, area.top, right - left, area.bottom - area.top);
        ctx.clip();
        ctx.fillStyle = i % 2 === 0 ? 'rgba(37, 99, 235, 0.06)' : 'rgba(100, 116, 139, 0.10)';
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = '#475569';
        ctx.font = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
        ctx.textBaseline = 'top';
        ctx.fillText(phase.name, left + 4, area.top + 4);
        ctx.restore();
      });
    }
  };

  function line(label, color, pick, extra) {
    var dataset = {
      label: label,
      data: series.map(function (p) { return { x: p.t + 0.5, y: pick(p) }; }),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1.5,
      pointRadius: 0,
      pointHitRadius: 6
    };
    for (var key in extra) dataset[key] = extra[key];
    return dataset;
  }

  function chart(id, datasets, scales) {
    scales.x = {
      type: 'linear', min: 0, max: end,
      title: { display: true, text: 'seconds since load started' },
      ticks: { precision: 0 }
    };
    return new Chart(document.getElementById(id), {
      type: 'line',
      data: { datasets: datasets },
      plugins: [phaseBands],
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: scales,
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              title: function (items) {
                var t = series[items[0].dataIndex].t;
                return t + '–' + (t + 1) + ' s';
              },
              label: function (item) {
                var text = item.dataset.label + ': ' + item.formattedValue;
                if (item.dataset.yAxisID !== 'y1') return text;
                var byKind = series[item.dataIndex].errorsByKind || {};
                var parts = Object.keys(byKind).filter(function (k) { return byKind[k] > 0; })
                  .map(function (k) { return k + ' ' + byKind[k]; });
                return parts.length === 0 ? text : text + ' (' + parts.join(', ') + ')';
              }
            }
          }
        }
      }
    });
  }

  chart('throughput-chart', [
    line('responses/s', '#2563eb', function (p) { return p.rps; }, {}),
    line('errors/s', '#dc2626', function (p) { return p.errors; }, { yAxisID: 'y1' })
  ], {
    y: { beginAtZero: true, title: { display: true, text: 'responses/s' } },
    y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'errors/s' } }
  });

  var latency = chart('latency-chart', [
    line('p50', '#16a34a', function (p) { return p.latencyMs.p50; }, {}),
    line('p90', '#ca8a04', function (p) { return p.latencyMs.p90; }, {}),
    line('p99', '#ea580c', function (p) { return p.latencyMs.p99; }, {}),
    line('max', '#94a3b8', function (p) { return p.latencyMs.max; }, { borderDash: [4, 3] })
  ], {
    y: { beginAtZero: true, title: { display: true, text: 'ms' } }
  });

  document.getElementById('latency-log').addEventListener('change', function (event) {
    latency.options.scales.y.type = event.target.checked ? 'logarithmic' : 'linear';
    latency.options.scales.y.beginAtZero = !event.target.checked;
    latency.update();
  });
})();
`;
