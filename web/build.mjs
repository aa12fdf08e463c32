// Bundles the front end (src/main.js and the CSS it imports) into OUTDIR/app.js and
// OUTDIR/app.css with esbuild, and a gzip copy of each (.gz): `node build.mjs OUTDIR`. crates/server/build.rs runs it into
// cargo's OUT_DIR; the browser tests' fixture server runs it into a temporary directory.
// The bundle opens with a comment naming every npm package in it with its version and licence
// (read from the package's own package.json), as their licences ask of copies.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync, constants } from 'node:zlib';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] ?? path.join(here, 'dist'));

const result = await build({
  entryPoints: { app: path.join(here, 'src', 'main.js') },
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  outdir,
  write: false,
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: here,
});

// The packages bundled: node_modules/<name>/ or node_modules/@scope/<name>/ of each input.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m && !packages.has(m[1])) {
    const meta = JSON.parse(await readFile(path.join(here, 'node_modules', m[1], 'package.json'), 'utf8'));
    packages.set(m[1], `${m[1]}@${meta.version} (${meta.license ?? 'see its package'})`);
  }
}
const banner =
  '/* landplan front end (Apache-2.0). Bundled npm packages, each under its own licence: ' +
  [...packages.values()].sort().join(', ') +
  '. */\n';

await mkdir(outdir, { recursive: true });
for (const file of result.outputFiles) {
  const text = file.path.endsWith('.js') || file.path.endsWith('.css') ? banner + file.text : file.text;
  await writeFile(file.path, text);
  // A gzip copy the server sends to browsers that accept it (a third of the size).
  await writeFile(`${file.path}.gz`, gzipSync(text, { level: constants.Z_BEST_COMPRESSION }));
}
