// Score distribution: all visitors, MQLs and wins per score bin.
import { h, card, fmt } from '../dom.js';
import { bars, chartBox } from './charts.js';

export async function render(root, ctx) {
  const binsEl = h('select', { class: 'bt-select', id: 'bt-hist-bins' }, [10, 20, 40].map((n) => h('option', { value: n, selected: n === 20 }, `${n} bins`)));
  const box = chartBox('bt-histogram');
  const note = h('p', { class: 'bt-muted' });
  root.append(h('p', { class: 'bt-view-sub' }, 'How scores spread across visitors, and where MQLs and wins sit.'), h('div', { class: 'bt-row' }, binsEl), card('Score histogram', box, note));
  let chart;
  const draw = async () => {
    const hg = await ctx.call('histogram', ctx.model(), ctx.state.asOf, Number(binsEl.value));
    chart?.destroy();
    box.replaceChildren();
    chart = bars(box, { x: hg.lower, xLabel: 'score', yLabel: 'visitors', series: [
      { label: 'all visitors', values: hg.all },
      { label: 'MQL / CRM', values: hg.mql, color: '#e08a1e' },
      { label: 'won', values: hg.won, color: '#1f8a4c' },
    ] });
    note.textContent = `${fmt.int(hg.all.reduce((a, b) => a + b, 0))} visitors, bins of ${fmt.num(hg.width)} points.`;
  };
  binsEl.addEventListener('change', draw);
  await draw();
}
