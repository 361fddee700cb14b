import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SkippedFile, SourceFile } from '../discover/discover.js';
import { extractPython } from './python.js';
import { scanPython } from './python-scan.js';
import { emptyRecord } from './record.js';
import type { FileRecord } from './types.js';
import { extractTypeScript } from './typescript.js';

export interface ExtractResult {
  records: FileRecord[];
  skipped: SkippedFile[];
}

/** Reads and extracts one file; binary files (a NUL byte) are skipped with a note. */
export function extractFile(root: string, source: SourceFile): FileRecord | SkippedFile {
  let text: string;
  try {
    text = readFileSync(join(root, source.file), 'utf8');
  } catch (e) {
    return { file: source.file, reason: `unreadable: ${(e as Error).message}` };
  }
  if (text.includes('\0')) return { file: source.file, reason: 'binary (contains NUL bytes)' };
  if (text.charCodeAt(0) === 0xfeff) text = ` ${text.slice(1)}`; // keep offsets: BOM → space
  try {
    if (source.language === 'ts') return extractTypeScript(source.file, text);
    try {
      return scanPython(source.file, text);
    } catch {
      // A scanner bug must not lose the file: the full parser reads it instead.
      return extractPython(source.file, text);
    }
  } catch (e) {
    const record = emptyRecord(source.file, source.language, text.length);
    record.parseError = { line: 1, column: 1, message: `parser failed: ${(e as Error).message}` };
    return record;
  }
}

/** Extracts a list of files on this thread. */
export function extractFiles(root: string, files: SourceFile[]): ExtractResult {
  const out: ExtractResult = { records: [], skipped: [] };
  for (const f of files) {
    const r = extractFile(root, f);
    if ('reason' in r) out.skipped.push(r);
    else out.records.push(r);
  }
  return out;
}
