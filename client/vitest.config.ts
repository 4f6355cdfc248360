import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vitest/config';

const sharedSrc = fileURLToPath(new URL('../shared/src/', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@flotilla\/shared$/, replacement: `${sharedSrc}index.ts` },
      { find: /^@flotilla\/shared\/(.*)$/, replacement: `${sharedSrc}$1` },
    ],
  },
  test: {
    include: ['src/**/*.spec.ts'],
    environment: 'node',
  },
});
