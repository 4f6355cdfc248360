import { ErrorCode } from '@flotilla/shared';
import { RunnerClient } from '../client/runner-client';
import { hasErrorCode, RunnerApiError } from '../client/errors';
import { loadRunnerConfig, normalizeUrl, sameInstance, updateRunnerConfig, type RegisteredInstance } from '../config/config-store';
import { RUNNER_VERSION } from '../version';

/**
 * Registration writes config.toml directly (no IPC to the daemon): it works whether or not
 * `server` runs, and a running daemon notices the file change and starts serving the new instance.
 */
export interface RegisterOptions {
  configFile: string;
  url: string;
  registrationToken: string;
  runnerName: string;
  runnerDescription?: string;
}

export async function registerRunner(o: RegisterOptions): Promise<RegisteredInstance> {
  const url = normalizeUrl(o.url);
  if (!/^https?:\/\//.test(url)) throw new Error('--url must start with http:// or https://');
  const config = await loadRunnerConfig(o.configFile);
  if (config.registeredInstances.some((i) => sameInstance(i, { url, runnerName: o.runnerName }))) {
    throw new Error(`"${o.runnerName}" is already registered on ${url}`);
  }
  const result = await new RunnerClient(url).register({
    registrationToken: o.registrationToken,
    name: o.runnerName,
    description: o.runnerDescription,
    version: RUNNER_VERSION,
  });
  const instance: RegisteredInstance = {
    url,
    runnerToken: result.runnerToken,
    runnerName: o.runnerName,
    ...(o.runnerDescription ? { runnerDescription: o.runnerDescription } : {}),
  };
  await updateRunnerConfig(o.configFile, (c) => {
    c.registeredInstances.push(instance);
  });
  return instance;
}

/** Registers unless this url + name is already in the config (used to start an embedded runner). */
export async function ensureRegistered(o: RegisterOptions): Promise<RegisteredInstance> {
  const config = await loadRunnerConfig(o.configFile);
  const existing = config.registeredInstances.find((i) => sameInstance(i, { url: normalizeUrl(o.url), runnerName: o.runnerName }));
  return existing ?? registerRunner(o);
}

export async function unregisterRunner(o: { configFile: string; url: string; runnerName: string }): Promise<void> {
  const config = await loadRunnerConfig(o.configFile);
  const target = { url: normalizeUrl(o.url), runnerName: o.runnerName };
  const instance = config.registeredInstances.find((i) => sameInstance(i, target));
  if (!instance) throw new Error(`"${o.runnerName}" is not registered on ${target.url}`);
  try {
    await new RunnerClient(instance.url).unregister(instance.runnerToken);
  } catch (err) {
    // Already deleted on the server: still drop it here.
    const gone = hasErrorCode(err, ErrorCode.UNKNOWN_RUNNER_TOKEN) || (err instanceof RunnerApiError && err.status === 404);
    if (!gone) throw err;
  }
  await updateRunnerConfig(o.configFile, (c) => {
    c.registeredInstances = c.registeredInstances.filter((i) => !sameInstance(i, target));
  });
}

export async function listRegistered(configFile: string): Promise<RegisteredInstance[]> {
  return (await loadRunnerConfig(configFile)).registeredInstances;
}
