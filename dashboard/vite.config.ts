import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard's build: `vite build --config dashboard/vite.config.ts` (part of
 * `npm run build`) writes dist/dashboard/, which cctwin serve and cctwin dashboard serve
 * at `/`. Relative asset URLs (base './'), so the dashboard works under any path.
 * `vite --config dashboard/vite.config.ts` serves it in development, the API proxied to
 * CCTWIN_API (default http://127.0.0.1:8080, a running cctwin serve or dashboard).
 */
const api = process.env.CCTWIN_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // The dev server's dependency cache in the package's .vite/ (git-ignored), not in node_modules.
  cacheDir: fileURLToPath(new URL('../.vite/dashboard/', import.meta.url)),
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard/', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // React, React DOM and Recharts make one chunk of about 610 kB (180 kB gzipped), cached apart from the app's own code.
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      output: {
        manualChunks: (id: string) => (id.includes('node_modules') ? 'vendor' : undefined),
      },
    },
  },
  server: { proxy: { '/v1': api, '/healthz': api, '/docs': api } },
});
