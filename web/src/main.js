// Kiln Studio's single-page app: a hash router over the five pages, the "create a project" page
// for an empty folder, and a header indicator of the running job (polled, so every tab sees it).
import './style.css';
import * as api from './api.js';
import { h, clear, showError } from './ui.js';
import { renderCreateProject } from './pages/project.js';
import { renderData, renderSampleView } from './pages/data.js';
import { renderFeatures } from './pages/features.js';
import { renderTraining } from './pages/training.js';
import { renderTest } from './pages/test.js';
import { renderDeploy } from './pages/deploy.js';

const page = document.getElementById('page');

async function route() {
  const [path, search] = (location.hash.slice(1) || '/data').split('?');
  const query = new URLSearchParams(search || '');
  const parts = path.split('/').filter(Boolean);
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.page === (parts[0] === 'data' ? 'data' : parts[0]));
  }
  try {
    const status = await api.get('/api/status');
    document.getElementById('nav').hidden = !status.project;
    if (!status.project) {
      await renderCreateProject(page, () => { location.hash = '#/data'; route(); });
      return;
    }
    switch (parts[0]) {
      case 'features': await renderFeatures(page, query); break;
      case 'training': await renderTraining(page); break;
      case 'test': await renderTest(page); break;
      case 'deploy': await renderDeploy(page); break;
      default:
        if (parts[1] === 'sample' && parts[2]) await renderSampleView(page, parts[2]);
        else await renderData(page);
    }
  } catch (error) {
    clear(page, h('p', { class: 'error' }, error.message));
    showError(error);
  }
}

async function pollJobs() {
  try {
    const { running } = await api.get('/api/jobs');
    const indicator = document.getElementById('job-indicator');
    indicator.textContent = running
      ? `${running.kind} running${running.total ? ` ${Math.round((100 * running.done) / running.total)}%` : ''}`
      : '';
    indicator.classList.toggle('busy', !!running);
  } catch { /* the server may be restarting */ }
  setTimeout(pollJobs, 2000);
}

window.addEventListener('hashchange', route);
route();
pollJobs();
