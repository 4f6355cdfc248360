import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The runner package's version, sent to servers on register and request (shown to admins). */
export const RUNNER_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
