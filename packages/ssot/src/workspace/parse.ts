import { parseSync } from 'oxc-parser';
import type Parser from 'tree-sitter';
import { LineIndex } from '../extract/lines.js';
import { getParser } from '../extract/python.js';
import { PARSE_OPTIONS } from '../extract/typescript.js';
import type { Edit } from './edits.js';

/** Parses Python source (one tree serves the extract stage and the rewriter). */
export function parsePython(text: string): Parser.Tree {
  return getParser().parse(text);
}

/** Whether Python source parses without syntax errors. */
export function pythonParses(text: string): boolean {
  return !parsePython(text).rootNode.hasError;
}

/** Whether TS/JS source parses without errors. */
export function typescriptParses(file: string, text: string): boolean {
  return !parseSync(file, text, PARSE_OPTIONS).errors.some((e) => e.severity === 'Error');
}

/** Whether a file's text parses in its language (a byte-order mark counts as a space). */
export function parses(file: string, text: string): boolean {
  const t = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  return file.endsWith('.py') ? pythonParses(t) : typescriptParses(file, t);
}

function pointAt(lines: LineIndex, offset: number): Parser.Point {
  return { row: lines.line(offset) - 1, column: lines.column(offset) - 1 };
}

/**
 * Whether `after` (= `before` with `edits` applied) parses, re-parsing incrementally from the
 * tree of `before`: only the edited regions are parsed again. The tree is consumed.
 */
export function reparsesPython(
  before: string,
  tree: Parser.Tree,
  edits: Edit[],
  after: string,
): boolean {
  const lines = new LineIndex(before);
  // Last edit first: earlier offsets stay valid; on a tie the replacement goes before the insertion.
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  for (const e of sorted) {
    const start = pointAt(lines, e.start);
    const nl = e.text.lastIndexOf('\n');
    const newEnd =
      nl === -1
        ? { row: start.row, column: start.column + e.text.length }
        : { row: start.row + e.text.split('\n').length - 1, column: e.text.length - nl - 1 };
    tree.edit({
      startIndex: e.start,
      oldEndIndex: e.end,
      newEndIndex: e.start + e.text.length,
      startPosition: start,
      oldEndPosition: pointAt(lines, e.end),
      newEndPosition: newEnd,
    });
  }
  return !getParser().parse(after, tree).rootNode.hasError;
}
