import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

test('the browser entry bundles as ESM for browsers with no Node built-ins and no ws', async () => {
  const result = await build({
    stdin: {
      contents:
        "export { connect, foldRun, RunTracker, sessionStoragePosition } from '@agentwire/client';",
      resolveDir: here,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(
    inputs.some((i) => i.endsWith('client/dist/index.js')),
    `resolved the browser entry: ${inputs.join(', ')}`,
  );
  assert.ok(!inputs.some((i) => /node_modules\/ws\//.test(i)), 'ws is not in the bundle');
  assert.ok(!inputs.some((i) => i.includes('transport/node')), 'the node transport is not in it');
  const code = result.outputFiles[0]?.text ?? '';
  assert.doesNotMatch(code, /\brequire\(|from\s*["']node:|import\(["'](ws|node:)/);
  const kib = Buffer.byteLength(code) / 1024;
  assert.ok(kib < 30, `bundle is ${kib.toFixed(1)} KiB`);
});
