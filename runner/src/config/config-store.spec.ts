import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunnerConfig, resolveRunnerPaths, sameInstance, updateRunnerConfig } from './config-store';

describe('resolveRunnerPaths', () => {
  it('puts config under XDG_CONFIG_HOME/flotilla-runner/<id> and work under the cache', () => {
    const p = resolveRunnerPaths({ id: 'gpu', env: { XDG_CONFIG_HOME: '/c', XDG_CACHE_HOME: '/k' } });
    expect(p.configFile).toBe('/c/flotilla-runner/gpu/config.toml');
    expect(p.workDir).toBe('/k/flotilla-runner/gpu/jobs');
    expect(resolveRunnerPaths({ env: { XDG_CONFIG_HOME: '/c' } }).configFile).toBe('/c/flotilla-runner/default/config.toml');
  });

  it('refuses ids that would escape the folder', () => {
    expect(() => resolveRunnerPaths({ id: '../x' })).toThrow();
  });
});

describe('config file', () => {
  it('is created with defaults and round-trips registrations', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'sub', 'config.toml');
    const config = await loadRunnerConfig(file);
    expect(config).toEqual({
      jobs: { concurrency: 2, liveConcurrency: 2 },
      ffmpeg: { threads: 2, nice: 20, ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', progressTimeout: 600 },
      registeredInstances: [],
    });
    await updateRunnerConfig(file, (c) => {
      c.registeredInstances.push({ url: 'https://v.example', runnerToken: 'ptrt-1', runnerName: 'a' });
    });
    expect(readFileSync(file, 'utf8')).toContain('[[registeredInstances]]');
    expect((await loadRunnerConfig(file)).registeredInstances[0]).toMatchObject({ runnerName: 'a' });
  });

  it('reads concurrency, threads and nice and rejects bad values with the key named', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.toml');
    writeFileSync(file, '[jobs]\nconcurrency = 4\n[ffmpeg]\nthreads = 0\nnice = 5\n');
    expect(await loadRunnerConfig(file)).toMatchObject({ jobs: { concurrency: 4 }, ffmpeg: { threads: 0, nice: 5 } });
    writeFileSync(file, '[jobs]\nconcurrency = 0\n');
    await expect(loadRunnerConfig(file)).rejects.toThrow(/jobs\.concurrency/);
    writeFileSync(file, '[jobs]\nliveConcurrency = 0\n');
    expect(await loadRunnerConfig(file)).toMatchObject({ jobs: { concurrency: 2, liveConcurrency: 0 } });
    writeFileSync(file, '[jobs]\nliveConcurrency = -1\n');
    await expect(loadRunnerConfig(file)).rejects.toThrow(/jobs\.liveConcurrency/);
    writeFileSync(file, '[ffmpeg]\nprogressTimeout = 90\n');
    expect(await loadRunnerConfig(file)).toMatchObject({ ffmpeg: { progressTimeout: 90 } });
    writeFileSync(file, '[ffmpeg]\nprogressTimeout = 0\n');
    await expect(loadRunnerConfig(file)).rejects.toThrow(/ffmpeg\.progressTimeout/);
  });

  it('matches instances by normalized url and name', () => {
    expect(sameInstance({ url: 'https://a/', runnerName: 'r' }, { url: 'https://a', runnerName: 'r' })).toBe(true);
    expect(sameInstance({ url: 'https://a', runnerName: 'r' }, { url: 'https://a', runnerName: 's' })).toBe(false);
  });
});
