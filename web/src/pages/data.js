// Data page: samples per label and split, upload, the paginated and filtered list, relabel, move
// between splits, delete with undo, and the sample view (plot, audio, features).
import * as api from '../api.js';
import { h, clear, toast, showError, progressBar, fixed } from '../ui.js';

const PAGE_SIZE = 50;
const state = { offset: 0, label: '', split: '', q: '' };

function summaryTable(summary) {
  const labels = Object.keys(summary.labels || {}).sort();
  return h('table', { class: 'summary', id: 'summary' },
    h('tr', {}, h('th', {}, 'label'), h('th', {}, 'train'), h('th', {}, 'test'), h('th', {}, 'seconds')),
    labels.map((l) => {
      const c = summary.labels[l];
      return h('tr', {}, h('td', {}, l), h('td', {}, c.train), h('td', {}, c.test), h('td', {}, fixed(c.duration_s, 1)));
    }),
    h('tr', { class: 'total' }, h('th', {}, `total ${summary.samples}`), h('th', {}, summary.splits?.train ?? ''), h('th', {}, summary.splits?.test ?? ''),
      h('th', {}, fixed(summary.duration_s?.total, 1))));
}

function uploadForm(onDone) {
  const files = h('input', { type: 'file', multiple: true, name: 'files', id: 'upload-files', accept: '.wav,.csv,.png,.jpg,.jpeg,.json,.cbor' });
  const label = h('input', { type: 'text', name: 'label', placeholder: 'from file names (LABEL_x.wav)', id: 'upload-label' });
  const groupBy = h('input', { type: 'text', name: 'group_by', placeholder: 'e.g. ^\\d+_([a-z]+)_', id: 'upload-group' });
  const testFraction = h('input', { type: 'number', name: 'test_fraction', min: 0, max: 1, step: 0.05, placeholder: 'project default', id: 'upload-test-fraction' });
  const bar = progressBar();
  const form = h('form', { class: 'card', id: 'upload-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!files.files.length) return toast('choose files first', 'error');
    const data = new FormData();
    for (const f of files.files) data.append('files', f, f.name);
    if (label.value) data.append('label', label.value);
    if (groupBy.value) data.append('group_by', groupBy.value);
    if (testFraction.value) data.append('test_fraction', testFraction.value);
    try {
      const { job } = await api.upload(data);
      const done = await api.waitForJob(job.id, bar.update);
      bar.update(done);
      if (done.state === 'succeeded') {
        toast(`imported ${done.result.imported} sample(s), ${done.result.duplicates.length} duplicate(s) skipped`);
        files.value = '';
      } else toast(done.error, 'error');
      onDone();
    } catch (error) { showError(error); }
  } },
  h('h3', {}, 'Upload'), files,
  h('label', {}, 'Label ', label), h('label', {}, 'Group by (regex) ', groupBy), h('label', {}, 'Test fraction ', testFraction),
  h('button', { type: 'submit', class: 'primary', id: 'upload-button' }, 'Upload'), bar);
  return form;
}

export async function renderSampleView(root, id) {
  const sample = await api.get(`/api/samples/${id}`);
  clear(root,
    h('p', {}, h('a', { href: '#/data' }, '← all samples')),
    h('div', { class: 'card', id: 'sample-view' },
      h('h2', {}, `Sample ${sample.id}: ${sample.name}`),
      h('p', { class: 'meta' }, `${sample.label} · ${sample.split} · ${sample.sensor} · ${fixed(sample.duration_s, 3)} s · ${sample.sample_rate_hz} Hz · ${sample.axes} axis/axes${sample.group ? ` · group ${sample.group}` : ''}`),
      sample.sensor === 'audio' ? h('audio', { controls: true, src: `/api/samples/${id}/audio`, id: 'sample-audio' }) : null,
      h('h3', {}, 'Signal and project features'),
      h('img', { src: `/api/samples/${id}/plot.png`, alt: 'waveform and features', class: 'plot', id: 'sample-plot' }),
      h('p', {}, h('a', { href: `#/features?sample=${id}` }, 'Explore its features →'))));
}

export async function renderData(root) {
  const summaryBox = h('div', { id: 'summary-box' });
  const listBox = h('div', { id: 'list-box' });
  const undoBox = h('div', { id: 'undo-box' });

  async function refreshSummary() {
    clear(summaryBox, summaryTable(await api.get('/api/data/summary')));
  }

  async function refreshList() {
    const query = new URLSearchParams({ offset: state.offset, limit: PAGE_SIZE });
    if (state.label) query.set('label', state.label);
    if (state.split) query.set('split', state.split);
    if (state.q) query.set('q', state.q);
    const page = await api.get(`/api/samples?${query}`);
    const labelSelect = h('select', { id: 'filter-label', onchange: (e) => { state.label = e.target.value; state.offset = 0; refreshList().catch(showError); } },
      h('option', { value: '' }, 'all labels'), page.labels.map((l) => h('option', { value: l, selected: l === state.label }, l)));
    const splitSelect = h('select', { id: 'filter-split', onchange: (e) => { state.split = e.target.value; state.offset = 0; refreshList().catch(showError); } },
      ['', 'train', 'test'].map((s) => h('option', { value: s, selected: s === state.split }, s || 'both splits')));
    const search = h('input', { type: 'search', id: 'filter-q', placeholder: 'search names, groups', value: state.q,
      onchange: (e) => { state.q = e.target.value; state.offset = 0; refreshList().catch(showError); } });
    const rows = page.samples.map((s) => {
      const relabel = h('input', { type: 'text', value: s.label, size: 8, class: 'relabel', onchange: async (e) => {
        try { await api.send('PATCH', `/api/samples/${s.id}`, { label: e.target.value }); toast(`sample ${s.id} relabelled`); refreshAll(); }
        catch (error) { showError(error); e.target.value = s.label; }
      } });
      const other = s.split === 'train' ? 'test' : 'train';
      return h('tr', { 'data-id': s.id },
        h('td', {}, s.id), h('td', {}, h('a', { href: `#/data/sample/${s.id}`, class: 'open-sample' }, s.name)),
        h('td', {}, relabel), h('td', {}, s.split), h('td', {}, s.group), h('td', {}, fixed(s.duration_s, 2)),
        h('td', {},
          h('button', { onclick: async () => {
            try { const r = await api.send('PATCH', `/api/samples/${s.id}`, { split: other }); toast(`moved ${r.moved.length} sample(s) to ${other}`); refreshAll(); }
            catch (error) { showError(error); }
          } }, `→ ${other}`),
          h('button', { class: 'danger', onclick: async () => {
            try { const r = await api.send('DELETE', `/api/samples/${s.id}`); showUndo(r.trash_id, s.name); refreshAll(); }
            catch (error) { showError(error); }
          } }, 'delete')));
    });
    const last = Math.min(page.total, state.offset + PAGE_SIZE);
    clear(listBox,
      h('div', { class: 'filters' }, labelSelect, splitSelect, search),
      h('table', { class: 'samples', id: 'samples' },
        h('tr', {}, ['id', 'name', 'label', 'split', 'group', 'seconds', ''].map((t) => h('th', {}, t))), rows),
      h('div', { class: 'pager' },
        h('button', { disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); refreshList().catch(showError); } }, '‹ previous'),
        h('span', { id: 'page-info' }, page.total ? `${state.offset + 1}–${last} of ${page.total}` : 'no samples'),
        h('button', { disabled: last >= page.total, onclick: () => { state.offset += PAGE_SIZE; refreshList().catch(showError); } }, 'next ›')));
  }

  function showUndo(trashId, name) {
    clear(undoBox, h('div', { class: 'undo' }, `Deleted ${name}. `,
      h('button', { id: 'undo-delete', onclick: async () => {
        try { await api.send('POST', `/api/trash/${trashId}/restore`); clear(undoBox); toast(`restored ${name}`); refreshAll(); }
        catch (error) { showError(error); }
      } }, 'Undo')));
  }

  function refreshAll() { refreshSummary().catch(showError); refreshList().catch(showError); }

  clear(root, h('h2', {}, 'Data'), h('div', { class: 'row' }, h('div', { class: 'card' }, h('h3', {}, 'Samples per label'), summaryBox), uploadForm(refreshAll)),
    undoBox, h('div', { class: 'card' }, listBox));
  await Promise.all([refreshSummary(), refreshList()]);
}
