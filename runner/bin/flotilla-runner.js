#!/usr/bin/env node
'use strict';
// Launcher for the compiled CLI (build first: npx tsc -b shared runner).
require('../dist/cli.js').main().catch((err) => {
  console.error(`flotilla-runner: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
