import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
  favicon: string;
}

const pageDir = new URL('../src/page/', import.meta.url);

/** Bundles the page (TypeScript → one ESM file for browsers) with esbuild, in memory. */
export async function buildPage(): Promise<PageAssets> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('main.ts', pageDir))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    // Readable in the browser's devtools: this page is also an example to learn from.
    minify: false,
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no output for the demo page');
  const [html, css, favicon] = await Promise.all([
    readFile(new URL('index.html', pageDir), 'utf8'),
    readFile(new URL('style.css', pageDir), 'utf8'),
    readFile(new URL('favicon.svg', pageDir), 'utf8'),
  ]);
  return { html, js, css, favicon };
}
