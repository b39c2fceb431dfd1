// uPlot charts with the dashboard's defaults. Data comes as Float64Array columns from the Worker.
import uPlot from '../vendor/uPlot.esm.js';
import { h } from '../dom.js';

export const COLORS = ['#3157d5', '#e08a1e', '#1f8a4c', '#c0392b', '#7b5ea7'];

function width(el) {
  return Math.max(320, (el.clientWidth || el.parentElement?.clientWidth || 800) - 4);
}

/** A line chart. `x`: column, `series`: [{ label, values, color, dash }]. */
export function lines(el, { x, series, xTime = false, yLabel = '', height = 280, xLabel = '' }) {
  const opts = {
    width: width(el),
    height,
    scales: { x: { time: xTime } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: s.color ?? COLORS[i % COLORS.length], width: 2, dash: s.dash, points: { show: false }, scale: s.scale ?? 'y' }))],
  };
  if (series.some((s) => s.scale === 'r')) {
    opts.scales.r = { range: [0, 1] };
    opts.axes.push({ scale: 'r', side: 1, grid: { show: false }, values: (u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) });
  }
  return new uPlot(opts, [x, ...series.map((s) => s.values)], el);
}

/** A bar chart over bins. */
export function bars(el, { x, series, height = 300, xLabel = '', yLabel = '' }) {
  const barPaths = uPlot.paths.bars({ size: [0.8, 60], align: 0 });
  return new uPlot({
    width: width(el),
    height,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [{}, ...series.map((s, i) => ({ label: s.label, fill: `${s.color ?? COLORS[i]}cc`, stroke: s.color ?? COLORS[i], paths: barPaths, points: { show: false } }))],
  }, [x, ...series.map((s) => s.values)], el);
}

export function chartBox(id) {
  return h('div', { class: 'bt-chart', id });
}
