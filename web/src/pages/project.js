// Shown when the Studio's folder holds no project yet: create one (as `kiln init`).
import * as api from '../api.js';
import { h, clear, showError } from '../ui.js';

export async function renderCreateProject(root, onCreated) {
  const options = await api.get('/api/options');
  const dsp = h('select', { name: 'dsp' }, options.blocks.map((b) => h('option', { value: b.name, selected: b.name === 'mfcc' }, b.name)));
  const model = h('select', { name: 'model' }, h('option', { value: '' }, '(default for the block)'),
    options.presets.map((p) => h('option', { value: p }, p)));
  const windowMs = h('input', { type: 'number', name: 'window_ms', value: 1000, min: 1 });
  const epochs = h('input', { type: 'number', name: 'epochs', value: 30, min: 1 });
  const form = h('form', { class: 'card narrow', id: 'create-project', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api.send('POST', '/api/project', {
        dsp: dsp.value, model: model.value || null,
        window_ms: Number(windowMs.value), epochs: Number(epochs.value),
      });
      onCreated();
    } catch (error) { showError(error); }
  } },
  h('h2', {}, 'Create a project'),
  h('p', {}, 'This folder holds no Kiln project yet. Choose the DSP block and learning preset (as kiln init does); everything can be changed later.'),
  h('label', {}, 'DSP block ', dsp),
  h('label', {}, 'Learning preset ', model),
  h('label', {}, 'Window (ms) ', windowMs),
  h('label', {}, 'Training epochs ', epochs),
  h('button', { type: 'submit', class: 'primary' }, 'Create project'));
  clear(root, form);
}
