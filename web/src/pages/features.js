// Features page: the DSP block and its parameters, one sample's features as an image that follows
// every change, and the 2-D explorer (PCA) of all samples' features coloured by label.
import * as api from '../api.js';
import { h, clear, toast, showError } from '../ui.js';
import { scatterPlot } from '../charts.js';

function blockQuery(block, params) {
  const query = new URLSearchParams({ block });
  for (const [name, value] of Object.entries(params)) if (value !== '') query.set(`p.${name}`, value);
  return query;
}

export async function renderFeatures(root, query) {
  const [options, config, firstPage] = await Promise.all([
    api.get('/api/options'), api.get('/api/config'), api.get('/api/samples?limit=1')]);
  let block = config.dsp.block;
  let params = { ...config.dsp.params };
  let sampleId = Number(query.get('sample')) || firstPage.samples[0]?.id || 0;

  const image = h('img', { id: 'feature-image', class: 'plot', alt: 'features of the sample' });
  const imageNote = h('p', { class: 'meta', id: 'feature-note' });
  const paramBox = h('div', { class: 'params', id: 'params' });
  const explorerBox = h('div', { id: 'explorer' }, h('p', { class: 'meta' }, 'Compute the explorer to see every sample.'));
  const sampleInput = h('input', { type: 'number', id: 'feature-sample', value: sampleId, min: 1, onchange: (e) => { sampleId = Number(e.target.value); updateImage(); } });

  let timer = null;
  function updateImage() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!sampleId) { imageNote.textContent = 'no samples yet'; return; }
      const url = `/api/samples/${sampleId}/features.png?${blockQuery(block, params)}`;
      // Fetch first so an invalid parameter shows the server's message instead of a broken image.
      try {
        const response = await fetch(url);
        if (!response.ok) throw new Error((await response.json()).error);
        image.src = URL.createObjectURL(await response.blob());
        imageNote.textContent = `sample ${sampleId}, ${block}`;
      } catch (error) { imageNote.textContent = error.message; }
    }, 150);
  }

  function renderParams() {
    const names = options.blocks.find((b) => b.name === block)?.parameters || [];
    clear(paramBox, names.map((name) => h('label', { class: 'param' }, name,
      h('input', { type: 'text', name, value: params[name] ?? '', placeholder: 'default', 'data-param': name,
        oninput: (e) => { params[name] = e.target.value; if (!e.target.value) delete params[name]; updateImage(); } }))));
  }

  const blockSelect = h('select', { id: 'feature-block', onchange: (e) => { block = e.target.value; params = {}; renderParams(); updateImage(); } },
    options.blocks.map((b) => h('option', { value: b.name, selected: b.name === block }, b.name)));

  async function save() {
    try {
      const next = await api.get('/api/config');
      next.dsp = { block, params };
      await api.send('PUT', '/api/config', next);
      toast('DSP block saved to kiln.json');
    } catch (error) { showError(error); }
  }

  async function explore() {
    clear(explorerBox, h('p', { class: 'meta' }, 'computing features of every sample…'));
    try {
      const r = await api.get(`/api/features/explorer?${blockQuery(block, params)}`);
      const labels = [...new Set(r.points.map((p) => p.label))].sort();
      clear(explorerBox,
        h('p', { class: 'meta' }, `${r.points.length} samples, ${r.feature_count} features each; PCA axes explain ${(100 * r.explained[0]).toFixed(1)}% and ${(100 * r.explained[1]).toFixed(1)}% of the variance (${r.computed} computed, ${r.seconds.toFixed(2)} s)`),
        scatterPlot(r.points, labels, (p) => { location.hash = `#/data/sample/${p.id}`; }));
    } catch (error) { clear(explorerBox, h('p', { class: 'error' }, error.message)); }
  }

  clear(root, h('h2', {}, 'Features'),
    h('div', { class: 'row' },
      h('div', { class: 'card' }, h('h3', {}, 'DSP block'), h('label', {}, 'Block ', blockSelect), paramBox,
        h('button', { onclick: save, id: 'save-dsp' }, 'Save to project')),
      h('div', { class: 'card' }, h('h3', {}, 'Features of one sample'), h('label', {}, 'Sample id ', sampleInput), image, imageNote)),
    h('div', { class: 'card' }, h('h3', {}, 'Feature explorer'), h('button', { class: 'primary', onclick: explore, id: 'run-explorer' }, 'Compute explorer'), explorerBox));
  renderParams();
  updateImage();
}
