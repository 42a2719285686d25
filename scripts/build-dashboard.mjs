// Builds the dashboard (dashboard/) into dist/dashboard/: index.html, app.js and app.css (our
// styles and uPlot's). Run by `npm run build`, so `npm install` (prepare) builds it too.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/dashboard`;

await mkdir(outdir, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { app: 'dashboard/main.tsx' },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(`${root}dashboard/index.html`, `${outdir}/index.html`);
console.log('dashboard built into dist/dashboard/');
