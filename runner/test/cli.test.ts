import { tempDir } from './helpers/tmp';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeRunnerServer, waitFor } from './helpers/fake-runner-server';
import { makeMedia } from './helpers/media';

/** The built `flotilla-runner` launcher as an operator runs it (npm test builds first). */
const BIN = resolve(__dirname, '../bin/flotilla-runner.js');
let media: ReturnType<typeof makeMedia>;
let server: FakeRunnerServer;

beforeAll(() => {
  if (!existsSync(resolve(__dirname, '../dist/cli.js'))) throw new Error('runner/dist missing: run npm run build');
  media = makeMedia();
});

afterEach(async () => {
  await server?.close();
});

function env() {
  const home = tempDir('flotilla-runner-cli-');
  return { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') };
}

/** Async (not spawnSync): the stand-in server lives in this process and must keep answering. */
function cli(e: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: e });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('flotilla-runner CLI', () => {
  it('registers, lists and unregisters per --id, without a daemon running', async () => {
    server = await new FakeRunnerServer().start();
    const e = env();
    const reg = await cli(e, 'register', '--url', server.url, '--registration-token', server.registrationToken, '--runner-name', 'box-1', '--id', 'gpu');
    expect(reg.stderr).toBe('');
    expect(reg.status).toBe(0);
    expect((await cli(e, 'get-config-file-path', '--id', 'gpu')).stdout.trim()).toBe(join(e.XDG_CONFIG_HOME, 'flotilla-runner', 'gpu', 'config.toml'));
    expect((await cli(e, 'list-registered', '--id', 'gpu')).stdout).toContain(`${server.url}\tbox-1`);
    expect((await cli(e, 'list-registered')).stdout).toContain('No registered instance');

    const again = await cli(e, 'register', '--url', server.url, '--registration-token', server.registrationToken, '--runner-name', 'box-1', '--id', 'gpu');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already registered');

    const bad = await cli(e, 'register', '--url', server.url, '--registration-token', 'ptrrt-wrong', '--runner-name', 'box-2');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('404');

    expect((await cli(e, 'unregister', '--url', server.url, '--runner-name', 'box-1', '--id', 'gpu')).status).toBe(0);
    expect(server.runnerTokens.size).toBe(0);
    expect((await cli(e, 'list-registered', '--id', 'gpu')).stdout).toContain('No registered instance');
  });

  it('runs the daemon, logs lines when not in a terminal, and aborts its job on SIGTERM', async () => {
    server = await new FakeRunnerServer().start();
    const e = env();
    const child = spawn(process.execPath, [
      BIN, 'server', '--id', 'embedded',
      '--url', server.url, '--registration-token', server.registrationToken, '--runner-name', 'embedded',
      '--concurrency', '1', '--ffmpeg-threads', '0', '--ffmpeg-nice', '0',
    ], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stderr.on('data', (c: Buffer) => (logs += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitFor(() => server.connectedRunners() === 1, 15_000, 'daemon socket');
      const job = server.addJob('vod-hls-transcoding', { resolution: 360, fps: 30, separatedAudio: false }, { videoFileUrl: media.long });
      server.ping();
      await waitFor(() => job.updates.some((p) => p > 0), 20_000, 'progress');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(job.aborts).toEqual(['Runner stopped (SIGTERM)']);
      expect(logs).toContain('concurrency 1');
      expect(logs).toMatch(/job [0-9a-f-]{36} started: vod-hls 360p/);
      expect(logs).toMatch(/job [0-9a-f-]{36} \d+%/);
      const jobsDir = join(e.XDG_CACHE_HOME, 'flotilla-runner', 'embedded', 'jobs');
      expect(readdirSync(jobsDir)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
