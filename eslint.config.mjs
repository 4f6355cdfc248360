// `npm run lint` (and npm test, after the TypeScript build): type-aware rules for promises and
// unused code over the TypeScript sources. Style is left to the reviewers; these catch bugs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'client/**/*.vue', '**/*.spec.ts', '**/test/**', 'scripts/**', '**/*.mjs', '**/*.cjs', '**/*.js', 'client/*.ts'] },
  {
    files: ['server/src/**/*.ts', 'runner/src/**/*.ts', 'shared/src/**/*.ts', 'client/src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        project: ['server/tsconfig.json', 'runner/tsconfig.json', 'shared/tsconfig.json', 'client/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-unused-expressions': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Off: the code base relies on these on purpose (zod-inferred `any` in a few adapters, namespaces for Express typings).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
);
