import { existsSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

/** The integration suites run the built server; `npm test` builds first. */
export default function setup(): void {
  const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: run 'npm run build' (npm test does it for you)`);
  }
}
