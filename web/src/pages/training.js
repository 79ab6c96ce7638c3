// Training page: preset or explicit layers, training settings and augmentation (saved to
// kiln.json), start, live loss/accuracy curves from the job's event stream, cancel.
import * as api from '../api.js';
import { h, clear, toast, showError, progressBar, percent } from '../ui.js';
import { lineChart } from '../charts.js';

const TRAINING_FIELDS = [
  ['epochs', 'number'], ['learning_rate', 'number'], ['batch_size', 'number'],
  ['validation_fraction', 'number'], ['optimizer', ['adam', 'sgd']], ['lr_schedule', ['cosine', 'constant']],
  ['seed', 'number'], ['class_weighting', 'checkbox'], ['qat', 'checkbox'],
];
const AUGMENTATION_FIELDS = ['copies', 'noise_snr_db', 'time_shift_ms', 'gain_db', 'speed_percent', 'time_masks', 'frequency_masks', 'mask_width'];

function field(object, key, kind, title = key) {
  if (Array.isArray(kind)) {
    return h('label', {}, `${title} `, h('select', { onchange: (e) => { object[key] = e.target.value; } },
      kind.map((v) => h('option', { value: v, selected: object[key] === v }, v))));
  }
  if (kind === 'checkbox') {
    return h('label', {}, h('input', { type: 'checkbox', checked: !!object[key], onchange: (e) => { object[key] = e.target.checked; } }), ` ${title}`);
  }
  return h('label', {}, `${title} `, h('input', { type: 'number', step: 'any', value: object[key], 'data-field': key,
    onchange: (e) => { object[key] = Number(e.target.value); } }));
}

export async function renderTraining(root) {
  const [options, config, jobs] = await Promise.all([api.get('/api/options'), api.get('/api/config'), api.get('/api/jobs')]);
  const history = [];
  const charts = h('div', { class: 'row', id: 'curves' });
  const summary = h('p', { class: 'meta', id: 'train-summary' });
  const bar = progressBar();
  let stopFollowing = null;
  let runningId = null;

  function drawCurves() {
    const pick = (key) => history.map((e) => e[key]).filter((v) => v !== undefined);
    clear(charts,
      lineChart('loss', [{ name: 'train', colour: '#1f77b4', points: pick('loss') }, { name: 'validation', colour: '#ff7f0e', points: pick('val_loss') }], { yMin: 0 }),
      lineChart('accuracy', [{ name: 'train', colour: '#1f77b4', points: pick('accuracy') }, { name: 'validation', colour: '#ff7f0e', points: pick('val_accuracy') }], { yMin: 0 }));
    const last = history[history.length - 1];
    if (last) summary.textContent = `epoch ${last.epoch}/${last.epochs}: loss ${last.loss.toFixed(4)}, accuracy ${percent(last.accuracy)}${last.val_accuracy !== undefined ? `, validation ${percent(last.val_accuracy)}` : ''}`;
  }

  function follow(job) {
    runningId = job.id;
    history.length = 0;
    cancelButton.disabled = false;
    startButton.disabled = true;
    bar.update(job);
    stopFollowing = api.followJob(job.id, (event) => {
      if (event.type === 'epoch') { history.push(event); drawCurves(); }
      if (event.type === 'progress') bar.update({ ...job, stage: event.stage, done: event.done, total: event.total, state: 'running' });
      if (event.type === 'end') {
        bar.update({ ...job, state: event.state, error: event.error, total: 0 });
        cancelButton.disabled = true;
        startButton.disabled = false;
        runningId = null;
        toast(`training ${event.state}${event.error ? `: ${event.error}` : ''}`, event.state === 'succeeded' ? 'info' : 'error');
      }
    });
  }

  const layers = h('textarea', { rows: 6, cols: 50, id: 'layers', placeholder: 'empty: use the preset; or a JSON list like [{"type": "dense", "units": 32}]' },
    config.learning.layers?.length ? JSON.stringify(config.learning.layers, null, 1) : '');
  const preset = h('select', { id: 'preset', onchange: (e) => { config.learning.preset = e.target.value; } },
    options.presets.map((p) => h('option', { value: p, selected: p === config.learning.preset }, p)));

  async function save() {
    const text = layers.value.trim();
    try {
      config.learning.layers = text ? JSON.parse(text) : [];
      if (text) config.learning.preset = '';
      else if (!config.learning.preset) config.learning.preset = preset.value;
    } catch (error) { throw new Error(`layers: ${error.message}`); }
    await api.send('PUT', '/api/config', config);
  }

  const startButton = h('button', { class: 'primary', id: 'start-training', onclick: async () => {
    try { await save(); const { job } = await api.send('POST', '/api/train', {}); follow(job); }
    catch (error) { showError(error); }
  } }, 'Start training');
  const cancelButton = h('button', { class: 'danger', id: 'cancel-training', disabled: true, onclick: async () => {
    if (runningId) await api.send('POST', `/api/jobs/${runningId}/cancel`).catch(showError);
  } }, 'Cancel');
  const saveButton = h('button', { onclick: () => save().then(() => toast('saved to kiln.json')).catch(showError) }, 'Save settings');

  clear(root, h('h2', {}, 'Training'),
    h('div', { class: 'row' },
      h('div', { class: 'card' }, h('h3', {}, 'Network'), h('label', {}, 'Preset ', preset), h('p', { class: 'meta' }, 'or explicit layers (JSON):'), layers),
      h('div', { class: 'card' }, h('h3', {}, 'Settings'), TRAINING_FIELDS.map(([key, kind]) => field(config.training, key, kind)),
        field(config.training.early_stopping, 'enabled', 'checkbox', 'early stopping'), field(config.training.early_stopping, 'patience', 'number', 'early stopping patience')),
      h('div', { class: 'card' }, h('h3', {}, 'Augmentation'), AUGMENTATION_FIELDS.map((key) => field(config.augmentation, key, 'number')))),
    h('div', { class: 'card' }, h('div', { class: 'actions' }, saveButton, startButton, cancelButton), bar, summary, charts));

  window.addEventListener('hashchange', () => stopFollowing && stopFollowing(), { once: true });
  const running = jobs.running;
  if (running && running.kind === 'train') {
    follow(running);  // a reloaded page picks the run up again, curves from the first epoch
  } else {
    try {
      const last = await api.get('/api/train/last');
      history.push(...last.history);
      summary.textContent = `last run: ${last.history.length} epochs, best epoch ${last.best_epoch}, ${last.parameters} parameters, ${last.seconds.toFixed(1)} s`;
    } catch { /* never trained */ }
    drawCurves();
  }
}
