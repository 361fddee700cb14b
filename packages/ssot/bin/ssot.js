#!/usr/bin/env node
// The `ssot` command. Runs the built CLI (dist/), or the TypeScript sources through tsx when the
// package has not been built yet, so that `npx ssot` works right after `npm ci`.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (existsSync(dist)) {
  cli = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
const code = await cli.main(process.argv.slice(2));
process.exitCode = code;
// Exit as soon as the output is flushed: letting the event loop wind down would first run a
// finalizer for every syntax node the Python parser made — a quarter of a second on a large tree.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
