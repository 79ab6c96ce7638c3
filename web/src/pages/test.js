// Test page: float32 and int8 side by side: accuracy, per-class precision/recall/F1, confusion
// matrices, misclassified samples (click to open) and anomaly scores when there is a model.
import * as api from '../api.js';
import { h, clear, showError, progressBar, percent, fixed } from '../ui.js';
import { confusionMatrix } from '../charts.js';

function precisionCard(name, m) {
  return h('div', { class: 'card', id: `test-${name}` },
    h('h3', {}, name),
    h('p', { class: 'big' }, `accuracy ${percent(m.accuracy)} per window · ${percent(m.sample_accuracy)} per sample · macro F1 ${fixed(m.f1)}`),
    h('table', { class: 'metrics' }, h('tr', {}, ['label', 'precision', 'recall', 'F1'].map((t) => h('th', {}, t))),
      m.labels.map((l, i) => h('tr', {}, h('td', {}, l), h('td', {}, fixed(m.precision[i])), h('td', {}, fixed(m.recall[i])), h('td', {}, fixed(m.f1_per_class[i]))))),
    confusionMatrix(`${name} confusion (windows)`, m.labels, m.confusion),
    h('h4', {}, `Misclassified samples (${m.misclassified.length})`),
    h('ul', { class: 'misclassified' }, m.misclassified.slice(0, 100).map((w) =>
      h('li', {}, h('a', { href: `#/data/sample/${w.id}` }, `${w.source.split('/').pop()}`), ` ${w.label} → ${w.predicted}`))));
}

export async function renderTest(root) {
  const reportBox = h('div', { id: 'test-report' });
  const bar = progressBar();
  async function show() {
    try {
      const r = await api.get('/api/test/report');
      clear(reportBox,
        h('p', { class: 'meta' }, `${r.test_samples} test samples, ${r.test_windows} windows (${r.finished_at})`),
        h('div', { class: 'row' }, ['float32', 'int8'].filter((p) => r[p]).map((p) => precisionCard(p, r[p]))),
        r.anomaly ? h('div', { class: 'card', id: 'anomaly' }, h('h3', {}, 'Anomaly scores (K-means)'),
          h('p', {}, `AUC ${fixed(r.anomaly.auc)} · threshold ${fixed(r.anomaly.threshold, 4)} · ${r.anomaly.anomalous_windows} of ${r.anomaly.windows} windows anomalous · ${percent(r.anomaly.accuracy_at_threshold)} flagged correctly`)) : null);
    } catch (error) {
      clear(reportBox, h('p', { class: 'meta' }, error.status === 404 ? 'No test report yet: run the test.' : error.message));
    }
  }
  const run = h('button', { class: 'primary', id: 'run-test', onclick: async () => {
    try {
      const { job } = await api.send('POST', '/api/test', {});
      const done = await api.waitForJob(job.id, bar.update);
      bar.update(done);
      if (done.state !== 'succeeded') throw new Error(done.error);
      await show();
    } catch (error) { showError(error); }
  } }, 'Run test');
  clear(root, h('h2', {}, 'Test'), h('div', { class: 'card' }, run, bar), reportBox);
  await show();
}
