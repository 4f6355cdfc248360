import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vitest/config';

const sharedSrc = fileURLToPath(new URL('./shared/src/', import.meta.url));
// Tests import @flotilla/shared from its TypeScript source (no build needed for specs).
const alias = [
  { find: /^@flotilla\/shared$/, replacement: `${sharedSrc}index.ts` },
  { find: /^@flotilla\/shared\/(.*)$/, replacement: `${sharedSrc}$1` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['shared/src/**/*.spec.ts', 'server/src/**/*.spec.ts', 'runner/src/**/*.spec.ts'],
          environment: 'node',
        },
      },
      './client/vitest.config.ts',
      {
        resolve: { alias },
        test: {
          // Integration and API suites: each file starts its own server process on its own database.
          name: 'integration',
          include: ['server/test/**/*.test.ts', 'runner/test/**/*.test.ts', 'client/test/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          maxWorkers: 3,
          // Runs after the unit projects (vitest needs distinct groups for distinct worker limits).
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['./server/test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
