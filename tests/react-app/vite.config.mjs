// Vite build of the React test app (tests/e2e/react.test.mjs builds it with this file).
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // A development build (.env.development): StrictMode's double effects exist only there.
  mode: 'development',
  plugins: [react()],
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true },
});
