#!/usr/bin/env node
// Removes compiled files whose source is gone: `tsc -b` does not delete the outputs of a deleted
// or moved source file, and a stale dist/ file would be published by `npm pack` and could hide a
// broken import from the tests. Runs after every build (`npm run build`).
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = /\.(js|d\.ts)(\.map)?$/;
const SOURCES = ['.ts', '.tsx', '.mts', '.js'];

function prune(dist, src) {
  for (const name of readdirSync(dist)) {
    const path = join(dist, name);
    if (statSync(path).isDirectory()) {
      prune(path, join(src, name));
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    if (!OUTPUT.test(name)) continue;
    const stem = join(src, name.replace(OUTPUT, ''));
    if (SOURCES.some((ext) => existsSync(stem + ext))) continue;
    rmSync(path);
    console.log(`prune-dist: removed ${relative(root, path)} (no source)`);
  }
}

for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  if (existsSync(dist)) prune(dist, join(root, 'packages', pkg, 'src'));
}
