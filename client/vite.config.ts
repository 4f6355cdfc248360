import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig, defaultClientConditions } from 'vite';

const sharedSrc = fileURLToPath(new URL('../shared/src/', import.meta.url));
const backend = process.env.FLOTILLA_BACKEND ?? 'http://127.0.0.1:9000';

/** Paths the Flotilla server answers; everything else is the SPA. */
const proxied = ['/api', '/static', '/lazy-static', '/download', '/feeds', '/.well-known'];

export default defineConfig({
  plugins: [vue()],
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
