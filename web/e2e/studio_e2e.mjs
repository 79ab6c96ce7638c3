// Kiln Studio end to end in headless Chromium (the system's /usr/bin/chromium driven by
// playwright-core; no browser download). Starts `kiln studio` on an empty folder and, like a
// user: creates a project, uploads part of FSDD (3 digits x 2 speakers), opens a sample and its
// MFCC image, explores features, trains a few epochs (reloading the page mid-run) and sees the
// curves, runs the test and sees both confusion matrices, builds the library and downloads the
// zip, runs the profile. Then it times every page on the whole 3,000-sample FSDD project.
// Each step saves a screenshot in --out (and in --docs when given).
//
// Usage: node studio_e2e.mjs --kiln PATH/kiln --fsdd PATH/fsdd --out DIR [--docs DIR]
// Exit codes: 0 pass, 1 fail, 77 skipped (no Chromium).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const chromiumPath = process.env.KILN_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log(`SKIP: ${chromiumPath} not found: the Studio browser tests need Debian's chromium (tools/install_deps.sh installs it)`);
  process.exit(77);
}
for (const key of ['kiln', 'fsdd', 'out']) {
  if (!args[key]) { console.error(`usage: node studio_e2e.mjs --kiln KILN --fsdd FSDD_DIR --out DIR [--docs DIR]`); process.exit(1); }
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (error) {
  console.error(`FAIL: playwright-core is not installed (run 'npm ci' in web/): ${error.message}`);
  process.exit(1);
}

mkdirSync(args.out, { recursive: true });
if (args.docs) mkdirSync(args.docs, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'kiln-studio-e2e-'));
const servers = [];
let browser;
let failures = 0;

function startStudio(projectDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(args.kiln, ['studio', '-C', projectDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(child);
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) resolve(match[0]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => reject(new Error(`kiln studio exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`kiln studio printed no URL: ${output}`)), 20000);
  });
}

async function shot(page, name) {
  const file = join(args.out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (args.docs) copyFileSync(file, join(args.docs, `${name}.png`));
}

async function step(name, page, body) {
  const start = Date.now();
  try {
    await body();
    console.log(`ok   ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name}: ${error.message}`);
    await page.screenshot({ path: join(args.out, `FAILED-${name.replace(/\W+/g, '_')}.png`), fullPage: true }).catch(() => {});
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// 8 recordings of each of digits 0-2 by two speakers.
function uploadFiles() {
  const files = [];
  for (const digit of ['0', '1', '2']) {
    for (const speaker of ['george', 'jackson']) {
      for (let i = 0; i < 8; ++i) files.push(join(args.fsdd, digit, `${digit}_${speaker}_${i}.wav`));
    }
  }
  for (const f of files) check(existsSync(f), `missing ${f}`);
  return files;
}

try {
  const projectDir = join(work, 'project');
  mkdirSync(projectDir);
  const url = await startStudio(projectDir);
  browser = await chromium.launchPersistentContext(join(work, 'user-data'), {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] || (await browser.newPage());
  page.setDefaultTimeout(60000);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await step('create project', page, async () => {
    await page.goto(url);
    await page.waitForSelector('#create-project');
    await page.selectOption('#create-project select[name=dsp]', 'mfcc');
    await page.fill('#create-project input[name=epochs]', '6');
    await shot(page, 'create_project');
    await page.click('#create-project button[type=submit]');
    await page.waitForSelector('#upload-form');
    check(existsSync(join(projectDir, 'kiln.json')), 'no kiln.json after creating the project');
  });

  await step('upload FSDD part', page, async () => {
    await page.setInputFiles('#upload-files', uploadFiles());
    await page.fill('#upload-test-fraction', '0.25');
    await page.click('#upload-button');
    await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('total 48'));
    await page.waitForFunction(() => document.querySelectorAll('#samples tr[data-id]').length > 0);
    const rows = await page.locator('#samples tr[data-id]').count();
    check(rows === 48, `expected 48 rows in the sample list, saw ${rows}`);
    await shot(page, 'data');
    // Delete one sample, then undo.
    await page.click('#samples tr[data-id] >> nth=0 >> button.danger');
    await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('total 47'));
    await page.click('#undo-delete');
    await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('total 48'));
  });

  let sampleId = 0;
  await step('sample view with plot and audio', page, async () => {
    await page.click('#samples tr[data-id] a.open-sample');
    await page.waitForSelector('#sample-view');
    await page.waitForFunction(() => document.querySelector('#sample-plot')?.naturalWidth > 0);
    check(await page.locator('#sample-audio').count() === 1, 'no audio player');
    // The browser decodes the WAV the server sends: its duration is the sample's.
    await page.waitForFunction(() => document.querySelector('#sample-audio').duration > 0.1);
    sampleId = Number((await page.evaluate(() => location.hash)).split('/').pop());
    await shot(page, 'sample');
  });

  await step('MFCC image and feature explorer', page, async () => {
    await page.goto(`${url}#/features?sample=${sampleId}`);
    await page.waitForFunction(() => document.querySelector('#feature-image')?.naturalWidth > 0);
    const before = await page.getAttribute('#feature-image', 'src');
    await page.fill('input[data-param=num_cepstral]', '20');
    await page.waitForFunction((old) => { const img = document.querySelector('#feature-image'); return img.src !== old && img.naturalWidth > 0; }, before);
    await page.click('#run-explorer');
    await page.waitForSelector('#explorer circle.point');
    const points = await page.locator('#explorer circle.point').count();
    check(points === 48, `explorer shows ${points} points, expected 48`);
    await shot(page, 'features');
    await page.click('#explorer circle.point >> nth=0');
    await page.waitForSelector('#sample-view');
  });

  await step('train with live curves, surviving a reload', page, async () => {
    await page.goto(`${url}#/training`);
    await page.waitForSelector('#start-training');
    await page.fill('input[data-field=epochs]', '30');
    await page.dispatchEvent('input[data-field=epochs]', 'change');
    await page.click('#start-training');
    await page.waitForFunction(() => /epoch [1-9]/.test(document.querySelector('#train-summary')?.textContent || ''));
    await page.reload();
    // After the reload the page finds the running job again and redraws the curves from epoch 1
    // (or, if training finished meanwhile, shows the finished run).
    await page.waitForSelector('#curves svg');
    const stillRunning = await page.isEnabled('#cancel-training');
    console.log(`     after the reload the training job was ${stillRunning ? 'still running (followed again)' : 'already finished'}`);
    await page.waitForFunction(() => (document.querySelector('#train-summary')?.textContent || '').match(/epoch 30\/30|30 epochs/), null, { timeout: 300000 });
    await page.waitForFunction(() => !document.querySelector('#job-indicator').classList.contains('busy'), null, { timeout: 300000 });
    const d = await page.getAttribute('#curves path[data-series=train]', 'd');
    check(d && (d.match(/L/g) || []).length === 29, `the loss curve should have 30 points: ${d}`);
    await shot(page, 'training');
  });

  await step('test shows float32 and int8 confusion matrices', page, async () => {
    await page.goto(`${url}#/test`);
    await page.click('#run-test');
    await page.waitForFunction(() => document.querySelector('#test-float32 table.confusion') || document.querySelector('.progress.failed'), null, { timeout: 300000 });
    check(await page.locator('.progress.failed').count() === 0, `the test job failed: ${await page.textContent('.progress')}`);
    await page.waitForSelector('#test-int8 table.confusion');
    const cells = await page.locator('#test-int8 table.confusion td').count();
    check(cells === 9, `int8 confusion matrix has ${cells} cells, expected 3 x 3`);
    await shot(page, 'test');
  });

  await step('deploy and download the library zip', page, async () => {
    await page.goto(`${url}#/deploy`);
    await page.selectOption('#deploy-target', 'cortex-m4');
    await page.click('#run-deploy');
    await page.waitForSelector('#download-zip', { timeout: 300000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-zip')]);
    const zipPath = join(args.out, 'kiln_classifier.zip');
    await download.saveAs(zipPath);
    const zip = readFileSync(zipPath);
    check(zip.length > 1000 && zip.subarray(0, 4).toString('latin1') === 'PK\x03\x04', 'the download is not a zip');
    const listing = execFileSync('python3', ['-c', `import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))`, zipPath]).toString().trim();
    check(Number(listing) > 3, `zip holds ${listing} files`);
  });

  await step('profile against the device budget', page, async () => {
    await page.click('#run-profile');
    await page.waitForSelector('#profile-int8 .bars', { timeout: 900000 });
    await page.waitForFunction(() => !document.querySelector('#job-indicator').classList.contains('busy'));
    const text = await page.textContent('#profile-int8');
    check(/ms per classification/.test(text) && /of 256\.0 KiB/.test(text), `unexpected profile card: ${text}`);
    await shot(page, 'deploy');
  });

  check(pageErrors.length === 0, `JavaScript errors on the page: ${pageErrors.join('; ')}`);

  // Page load times on the whole FSDD (3,000 samples), imported with the CLI.
  await step('pages load in under 1 s with 3,000 samples', page, async () => {
    const fsddProject = join(work, 'fsdd');
    execFileSync(args.kiln, ['init', fsddProject, '--dsp', 'mfcc']);
    execFileSync(args.kiln, ['import', '-C', fsddProject, '--split-file', join(args.fsdd, 'split.csv'), '--group-by', '^\\d+_([a-z]+)_'], { stdio: 'ignore' });
    const fsddUrl = await startStudio(fsddProject);
    const pages = [
      ['data', '#samples tr[data-id]'], ['features', '#feature-image'], ['training', '#curves svg'],
      ['test', '#test-report p'], ['deploy', '#profile-report p'],
    ];
    const times = [];
    for (const [name, selector] of pages) {
      await page.goto('about:blank');
      const start = Date.now();
      await page.goto(`${fsddUrl}#/${name}`);
      await page.waitForSelector(selector);
      if (name === 'features') await page.waitForFunction(() => document.querySelector('#feature-image').naturalWidth > 0);
      const ms = Date.now() - start;
      times.push(`${name} ${ms} ms`);
      check(ms < 1000, `${name} took ${ms} ms`);
      if (name === 'data') {
        const total = await page.textContent('#page-info');
        check(/of 3000/.test(total), `data page shows '${total}'`);
      }
    }
    console.log(`     page loads: ${times.join(', ')}`);
    await page.goto(`${fsddUrl}#/data`);
    await page.waitForSelector('#samples tr[data-id]');
    await shot(page, 'data_fsdd_3000');
  });
} catch (error) {
  failures += 1;
  console.log(`FAIL setup: ${error.message}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  for (const child of servers) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log(failures ? `${failures} step(s) failed; screenshots in ${args.out}` : `all steps passed; screenshots in ${args.out}`);
process.exit(failures ? 1 : 0);
