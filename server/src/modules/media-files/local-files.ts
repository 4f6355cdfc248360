import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Server files that are not media and always live on the local disk (the embedded runner's
 * config.toml and its CLI): kept here so that feature modules do no file I/O of their own.
 */
export function localFileExists(path: string): boolean {
  return existsSync(path);
}

/** Writes `<dir>/<name>` readable by the server's user only, whole or not at all. */
export async function writePrivateFile(dir: string, name: string, content: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  await writeFile(`${file}.tmp`, content, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
