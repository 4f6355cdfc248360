// Runs the browser checks against the built client (dist/) served by `vite preview`, proxied to the
// mock backend: P2P between viewers, refusal of tampered segments, resumable upload across a
// reload, expired sessions. Usage: npm run build && node test/e2e.mjs
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMockServer } from './support/mock-server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const backendPort = Number(process.env.MOCK_PORT ?? 9124);
const previewPort = Number(process.env.PREVIEW_PORT ?? 4174);
const base = `http://127.0.0.1:${previewPort}`;
const backend = `http://127.0.0.1:${backendPort}`;

const mock = await startMockServer({ port: backendPort });
const preview = spawn('npx', ['vite', 'preview', '--port', String(previewPort), '--strictPort', '--host', '127.0.0.1'], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  env: { ...process.env, FLOTILLA_BACKEND: backend },
  stdio: 'ignore',
  detached: true, // its own process group, so that npx and vite stop together
});
for (let i = 0; i < 50; i++) {
  if (await fetch(base).then((r) => r.ok, () => false)) break;
  await new Promise((r) => setTimeout(r, 200));
}

const run = (script, env = {}) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [`${here}${script}`, base], { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code === 0));
  });
const setMode = (q) => fetch(`${backend}/__mode?${q}`);

const results = [];
await setMode('tamper=0&slowUploads=0');
results.push(['p2p between 3 viewers', await run('p2p-smoke.mjs', { VIEWERS: '3', PLAY_SECONDS: '16' })]);
results.push(['player controls, shortcuts, memory', await run('controls-smoke.mjs')]);
await setMode('tamper=1');
results.push(['tampered segments refused', await run('p2p-smoke.mjs', { EXPECT_REJECT: '1', PLAY_SECONDS: '12' })]);
await setMode('tamper=0&slowUploads=400');
results.push(['upload resumes after reload', await run('upload-smoke.mjs')]);
await setMode('slowUploads=0');
results.push(['expired session', await run('session-smoke.mjs')]);

process.kill(-preview.pid, 'SIGTERM');
await mock.close();
for (const [name, ok] of results) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
