// Bundles the dashboard pages (src/main.js + uPlot + CSS) into dist/ with esbuild.
// Run by the Dashboard project's build (MSBuild target) so a clean clone needs no manual step.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  outdir: 'dist',
  entryNames: 'app',
  logLevel: 'warning',
  legalComments: 'linked',
});
