import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A markdown file of this repository, by path from its root. */
export function readDoc(path: string): string {
  return readFileSync(`${repoRoot}${path}`, 'utf8');
}

/** The text under a heading (`## Title`), up to the next heading of the same or a higher level. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = heading.match(/^#+/)?.[0].length ?? 0;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const hashes = lines[i]?.match(/^(#+) /)?.[1];
    if (hashes !== undefined && hashes.length <= level && !inFence(lines, i)) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

function inFence(lines: string[], index: number): boolean {
  let open = false;
  for (let i = 0; i < index; i++) if (lines[i]?.startsWith('```')) open = !open;
  return open;
}

/** The fenced code blocks of one language, in order. */
export function codeBlocks(markdown: string, lang: string): string[] {
  const blocks: string[] = [];
  const re = /^```(\S*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(re)) {
    if (match[1] === lang) blocks.push(match[2] ?? '');
  }
  return blocks;
}

/** Replaces every occurrence, failing when there is none (the doc changed: update the test). */
export function replaceAllOrFail(text: string, search: string, replacement: string): string {
  if (!text.includes(search)) throw new Error(`expected "${search}" in:\n${text}`);
  return text.split(search).join(replacement);
}
