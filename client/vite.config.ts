import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { defineConfig, defaultClientConditions, type Plugin } from 'vite';

const sharedSrc = fileURLToPath(new URL('../shared/src/', import.meta.url));
const backend = process.env.FLOTILLA_BACKEND ?? 'http://127.0.0.1:9000';

/** Paths the Flotilla server answers; everything else is the SPA. */
const proxied = ['/api', '/static', '/lazy-static', '/download', '/feeds', '/.well-known'];

/**
 * Writes `<asset>.br` and `<asset>.gz` beside each hashed asset worth compressing, once, at build
 * time: the server sends them as they are (server/src/client-assets.ts) instead of the raw files
 * (the player chunk is 840 KB raw, ~210 KB as brotli) and spends no CPU compressing per request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'flotilla-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    writeBundle() {
      const dir = join(outDir, 'assets');
      for (const name of readdirSync(dir)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const raw = readFileSync(join(dir, name));
        if (raw.length < 1024) continue;
        writeFileSync(join(dir, `${name}.br`), brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
        writeFileSync(join(dir, `${name}.gz`), gzipSync(raw, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [vue(), precompress()],
  resolve: {
    alias: [
      // shared is built as CommonJS for Node; the client consumes its TypeScript source.
      { find: /^@flotilla\/shared$/, replacement: `${sharedSrc}index.ts` },
      // Deep imports (e.g. '@flotilla/shared/video') keep zod schemas out of the browser bundle.
      { find: /^@flotilla\/shared\/(.*)$/, replacement: `${sharedSrc}$1` },
    ],
    // p2p-media-loader-core ships a pre-bundled build behind this condition; its plain build pulls
    // Node's `events` through bittorrent-tracker and breaks the browser bundle (see notes/p2p.md).
    conditions: ['p2pml:core-as-bundle', ...defaultClientConditions],
  },
  server: {
    port: 5173,
    proxy: {
      ...Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false }])),
      '/tracker': { target: backend, ws: true },
      '/socket.io': { target: backend, ws: true },
    },
  },
  preview: {
    port: 4173,
    proxy: {
      ...Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false }])),
      '/tracker': { target: backend, ws: true },
      '/socket.io': { target: backend, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        embed: fileURLToPath(new URL('./embed.html', import.meta.url)),
      },
      output: {
        // One named, long-cached chunk for the Vue runtime and router shared by both entries.
        advancedChunks: { groups: [{ name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router)[\\/]/ }] },
      },
    },
  },
});
