// Small SVG charts: line curves (training), a scatter plot (feature explorer), horizontal budget
// bars (deploy) and a confusion matrix table (test).
import { h, labelColour } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value !== undefined && value !== null) {
      element.setAttribute(key, value);
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const niceNumber = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));

// series: [{name, colour, points: [y...]}] over x = 1..n.
export function lineChart(title, series, { width = 460, height = 240, yMin } = {}) {
  const pad = { left: 48, right: 12, top: 24, bottom: 30 };
  const all = series.flatMap((serie) => serie.points).filter((y) => Number.isFinite(y));
  const n = Math.max(1, ...series.map((serie) => serie.points.length));
  let lo = yMin !== undefined ? yMin : Math.min(...all, 0);
  let hi = Math.max(...all, lo + 1e-6);
  if (!all.length) { lo = 0; hi = 1; }
  const x = (i) => pad.left + (n <= 1 ? 0 : (i / (n - 1)) * (width - pad.left - pad.right));
  const y = (v) => height - pad.bottom - ((v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const svg = s('svg', { width, height, class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(s('text', { x: pad.left, y: 15, class: 'chart-title' }, title));
  for (let k = 0; k <= 4; ++k) {
    const v = lo + ((hi - lo) * k) / 4;
    svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: pad.left - 4, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, niceNumber(v)));
  }
  svg.append(s('text', { x: width / 2, y: height - 6, class: 'tick', 'text-anchor': 'middle' }, `epoch (${n})`));
  series.forEach((serie, index) => {
    if (!serie.points.length) return;
    const d = serie.points.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    svg.append(s('path', { d, class: 'curve', stroke: serie.colour, 'data-series': serie.name }));
    svg.append(s('text', { x: width - pad.right - 4, y: pad.top + 12 + 14 * index, 'text-anchor': 'end', fill: serie.colour, class: 'legend' }, serie.name));
  });
  return svg;
}

// points: [{id, label, x, y}], clicking one calls onPick(point).
export function scatterPlot(points, labels, onPick, { width = 560, height = 420 } = {}) {
  const pad = 30;
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1e-9)];
  const [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 1e-9)];
  const px = (v) => pad + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const py = (v) => height - pad - ((v - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const svg = s('svg', { width, height, class: 'chart scatter', viewBox: `0 0 ${width} ${height}` });
  svg.append(s('rect', { x: pad, y: pad, width: width - 2 * pad, height: height - 2 * pad, class: 'frame' }));
  for (const p of points) {
    svg.append(
      s('circle', { cx: px(p.x).toFixed(1), cy: py(p.y).toFixed(1), r: 4, fill: labelColour(p.label, labels), class: 'point', 'data-id': p.id, onclick: () => onPick(p) },
        s('title', {}, `sample ${p.id}: ${p.label} (${p.split})`)),
    );
  }
  return h('div', { class: 'scatter-wrap' }, svg,
    h('div', { class: 'legend-row' }, labels.map((label) => h('span', { class: 'legend-item' },
      h('span', { class: 'swatch', style: { background: labelColour(label, labels) } }), label))));
}

// One bar per row: used / budget, red when over.
export function budgetBars(rows) {
  return h('div', { class: 'bars' }, rows.map((row) => {
    const fraction = row.budget > 0 ? row.used / row.budget : 0;
    return h('div', { class: 'bar-row' },
      h('span', { class: 'bar-name' }, row.name),
      h('div', { class: `bar ${fraction > 1 ? 'over' : ''}` },
        h('div', { class: 'bar-fill', style: { width: `${Math.min(100, fraction * 100).toFixed(1)}%` } })),
      h('span', { class: 'bar-value' }, row.text));
  }));
}

// rows: true label, columns: predicted; darker = more.
export function confusionMatrix(title, labels, matrix, onCell) {
  const max = Math.max(1, ...matrix.flat());
  return h('table', { class: 'confusion' },
    h('caption', {}, title),
    h('tr', {}, h('th', {}, 'true \\ pred'), labels.map((l) => h('th', {}, l))),
    matrix.map((row, i) => h('tr', {}, h('th', {}, labels[i]), row.map((count, j) => h('td', {
      class: i === j ? 'diag' : '',
      style: { background: `rgba(${i === j ? '44,160,44' : '214,39,40'},${(0.1 + 0.8 * count / max).toFixed(2)})` },
      onclick: onCell ? () => onCell(i, j) : undefined,
    }, count)))));
}
