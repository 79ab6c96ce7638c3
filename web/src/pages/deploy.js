// Deploy page: target, engine and precision; build the C++ library and download it as a zip; run
// the profile on the emulated Cortex-M4 and compare latency, RAM and flash with the budget.
import * as api from '../api.js';
import { h, clear, showError, progressBar, bytes, fixed } from '../ui.js';
import { budgetBars } from '../charts.js';

function select(id, values) {
  return h('select', { id }, values.map((v) => h('option', { value: v }, v)));
}

function profileCard(name, r) {
  const ramUsed = r.static_ram_bytes + r.stack_bytes;
  const dspMs = r.dsp_cycles_est === null ? null : (r.dsp_cycles_est / (r.clock_mhz * 1000));
  const nnMs = r.nn_cycles_est / (r.clock_mhz * 1000);
  return h('div', { class: 'card', id: `profile-${name}` },
    h('h3', {}, `${name} on a Cortex-M4F at ${r.clock_mhz} MHz`),
    h('p', { class: 'big' }, `${fixed(r.ms_est, 2)} ms per classification: DSP ${fixed(dspMs, 2)} ms + network ${fixed(nnMs, 2)} ms`),
    budgetBars([
      { name: 'RAM', used: ramUsed, budget: r.budget.ram_bytes, text: `${bytes(ramUsed)} of ${bytes(r.budget.ram_bytes)} (static ${bytes(r.static_ram_bytes)} + stack ${bytes(r.stack_bytes)})` },
      { name: 'flash', used: r.flash_bytes, budget: r.budget.flash_bytes, text: `${bytes(r.flash_bytes)} of ${bytes(r.budget.flash_bytes)}` },
    ]),
    h('p', { class: 'meta' }, `method ${r.method}; outputs match the host: ${r.matches_host}; arena ${bytes(r.arena_bytes)}, weights ${bytes(r.weight_bytes)}`));
}

export async function renderDeploy(root) {
  const target = select('deploy-target', ['cortex-m4', 'host']);
  const engine = select('deploy-engine', ['aot', 'tflm']);
  const precision = select('deploy-precision', ['int8', 'float32']);
  const deployBar = progressBar();
  const deployInfo = h('div', { id: 'deploy-info' });
  const profileBar = progressBar();
  const profileBox = h('div', { id: 'profile-report' });
  const clock = h('input', { type: 'number', id: 'profile-clock', value: 64, min: 1 });
  const profilePrecision = select('profile-precision', ['int8', 'float32', 'both']);

  function showDeployment(d) {
    clear(deployInfo,
      h('p', {}, `${d.engine}, ${d.precision}, target ${d.target}: ${d.files} files, arena ${bytes(d.arena.total_arena_bytes)}${d.weight_bytes ? `, weights ${bytes(d.weight_bytes)}` : ''}`),
      h('a', { href: '/api/deploy/library.zip', download: 'kiln_classifier.zip', id: 'download-zip', class: 'button' }, `Download library (${bytes(d.zip_bytes)} zip)`));
  }
  async function showProfile() {
    try {
      const r = await api.get('/api/profile/report');
      clear(profileBox, h('div', { class: 'row' }, ['int8', 'float32'].filter((p) => r[p]).map((p) => profileCard(p, r[p]))));
    } catch (error) {
      clear(profileBox, h('p', { class: 'meta' }, error.status === 404 ? 'No profile yet.' : error.message));
    }
  }
  async function runJob(path, body, bar) {
    const { job } = await api.send('POST', path, body);
    const done = await api.waitForJob(job.id, bar.update);
    bar.update(done);
    if (done.state !== 'succeeded') throw new Error(done.error);
    return done.result;
  }

  clear(root, h('h2', {}, 'Deploy'),
    h('div', { class: 'row' },
      h('div', { class: 'card' }, h('h3', {}, 'C++ library'),
        h('label', {}, 'Target ', target), h('label', {}, 'Engine ', engine), h('label', {}, 'Precision ', precision),
        h('button', { class: 'primary', id: 'run-deploy', onclick: () => runJob('/api/deploy', { target: target.value, engine: engine.value, precision: precision.value }, deployBar).then(showDeployment).catch(showError) }, 'Build library'),
        deployBar, deployInfo),
      h('div', { class: 'card' }, h('h3', {}, 'Profile (emulated Cortex-M4F)'),
        h('label', {}, 'Precision ', profilePrecision), h('label', {}, 'Clock (MHz) ', clock),
        h('p', { class: 'meta' }, 'Budget: 256 KiB RAM, 1 MiB flash. Building and emulating the firmware takes a while.'),
        h('button', { class: 'primary', id: 'run-profile', onclick: () => runJob('/api/profile', { precision: profilePrecision.value, clock_mhz: Number(clock.value), ram_kb: 256, flash_kb: 1024 }, profileBar).then(showProfile).catch(showError) }, 'Run profile'),
        profileBar)),
    profileBox);
  api.get('/api/deploy/last').then(showDeployment).catch(() => {});
  await showProfile();
}
