// Boundary rules (issue 10, item 5). `npm test` runs them through scripts/check-boundaries.mjs;
// today's violations sit in .dependency-cruiser-known-violations.json (shrink it to empty).
// A module's public surface: `<y>/<name>.service.ts`, its Nest `*.module.ts`, and `*.types.ts` /
// `index.ts` for plain types — everything else inside a module is private to it.
const MOD = '^server/src/modules/([^/]+)/';
module.exports = {
  forbidden: [
    { name: 'shared-imports-nothing-of-the-project', severity: 'error',
      from: { path: '^shared/src/' },
      to: { path: '^(server|client|runner|scripts)/' } },
    { name: 'shared-no-node-builtins', severity: 'error',
      from: { path: '^shared/src/' },
      to: { dependencyTypes: ['core'] } },
    { name: 'client-runner-not-server', severity: 'error',
      from: { path: '^(client|runner)/' },
      to: { path: '^server/' } },
    { name: 'controller-not-model', severity: 'error',
      from: { path: '\\.controller\\.ts$' },
      to: { path: '\\.model\\.ts$' } },
    { name: 'module-through-public-files', severity: 'error',
      comment: 'another module is reached through its *.service.ts, *.module.ts, *.types.ts or index.ts',
      from: { path: MOD },
      to: { path: MOD, pathNot: ['^server/src/modules/[^/]+/([^/]+\\.(service|module|types)\\.ts|index\\.ts)$', '^server/src/modules/$1/'] } },
    { name: 'fs-only-in-media-files', severity: 'error',
      from: { path: '^server/src/modules/', pathNot: '^server/src/modules/media-files/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?fs(/promises)?$' } },
    { name: 'no-module-cycles', severity: 'error',
      comment: 'a cycle that leaves the module (sequelize associations inside one module may cycle)',
      from: { path: MOD },
      to: { circular: true, viaSomeNot: '^server/src/modules/$1/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|test)/|\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
