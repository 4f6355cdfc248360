#!/usr/bin/env node
// `npm run build`: TypeScript for shared/server/runner, Vite for the client.
import { build } from './lib/bootstrap.mjs';

await build({ showClientSizes: true });
