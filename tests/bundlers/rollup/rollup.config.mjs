import { nodeResolve } from '@rollup/plugin-node-resolve';

// output.dir, not output.file: the package loads client.loginPopup's half lazily (a chunk).
export default {
  input: 'main.js',
  output: { dir: 'dist', format: 'es', entryFileNames: 'main.js' },
  plugins: [nodeResolve({ browser: true })],
};
