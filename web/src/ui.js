// Tiny DOM helpers: element creation, notices, progress bars, formatting.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      element.className = value;
    } else if (key === 'style' && typeof value === 'object') {
      Object.assign(element.style, value);
    } else if (key in element && typeof value !== 'string') {
      element[key] = value;
    } else {
      element.setAttribute(key, value === true ? '' : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let toastTimer = null;
export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.className = `toast ${kind}`;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), kind === 'error' ? 8000 : 4000);
}

export function showError(error) {
  toast(error.message || String(error), 'error');
}

export function progressBar() {
  const fill = h('div', { class: 'fill' });
  const label = h('span', { class: 'progress-label' });
  const bar = h('div', { class: 'progress', hidden: true }, fill, label);
  bar.update = (job) => {
    bar.hidden = false;
    const fraction = job.state !== 'running' ? 1 : job.total ? job.done / job.total : 0;
    fill.style.width = `${Math.round(fraction * 100)}%`;
    label.textContent =
      job.state === 'running'
        ? `${job.kind || ''} ${job.stage || 'starting'} ${job.total ? `${job.done}/${job.total}` : ''}`
        : `${job.kind || 'job'} ${job.state}${job.error ? `: ${job.error}` : ''}`;
    bar.classList.toggle('failed', job.state === 'failed');
  };
  return bar;
}

export const percent = (x) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);
export const fixed = (x, digits = 3) => (x === null || x === undefined ? '—' : Number(x).toFixed(digits));
export function bytes(n) {
  if (n === null || n === undefined) return '—';
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

// A stable colour per label.
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
  '#7f7f7f', '#bcbd22', '#17becf'];
export function labelColour(label, labels) {
  const index = labels.indexOf(label);
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length];
}
