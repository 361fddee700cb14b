import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UserError } from '../errors.js';
import type { Language } from '../extract/types.js';

export interface SourceFile {
  /** Path relative to the root, `/`-separated. */
  file: string;
  language: Language;
  size: number;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface Discovery {
  /** Absolute root directory. */
  root: string;
  files: SourceFile[];
  skipped: SkippedFile[];
  /** Every directory walked (relative, `''` for the root) — used to find Python package roots. */
  dirs: Set<string>;
}

export interface DiscoverOptions {
  /** Extra gitignore-style patterns (from the config's `ignore`). */
  ignore?: string[];
  /** Files larger than this are skipped with a note. */
  maxFileBytes?: number;
}

/** Directories never walked: dependencies, virtualenvs, caches and build output. */
const SKIP_DIRS = new Set([
  'node_modules',
  'bower_components',
  'jspm_packages',
  'dist',
  'build',
  'out',
  'coverage',
  '__pycache__',
  'site-packages',
  'venv',
  'htmlcov',
]);

const EXTENSIONS: Record<string, Language> = {
  '.ts': 'ts',
  '.tsx': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.js': 'ts',
  '.jsx': 'ts',
  '.mjs': 'ts',
  '.cjs': 'ts',
  '.py': 'py',
};

const DECLARATION = /\.d\.[mc]?ts$/;

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export function languageOf(name: string): Language | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const lang = EXTENSIONS[name.slice(dot)];
  if (!lang || DECLARATION.test(name)) return null;
  return lang;
}

interface IgnoreScope {
  /** Directory of the .gitignore, relative to the root, with a trailing `/` (or `''`). */
  base: string;
  rules: Ignore;
}

/**
 * Lists the TS/JS and Python source files below `root`, honouring `.gitignore` files (nested ones
 * too) and the config's ignore patterns, skipping dependencies, virtualenvs, build output and
 * hidden directories.
 */
export function discover(root: string, options: DiscoverOptions = {}): Discovery {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(root);
  } catch {
    throw new UserError(`root directory not found: ${root}`);
  }
  if (!st.isDirectory()) throw new UserError(`root is not a directory: ${root}`);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const out: Discovery = { root, files: [], skipped: [], dirs: new Set() };
  const scopes: IgnoreScope[] = [];
  if (options.ignore?.length) scopes.push({ base: '', rules: ignore().add(options.ignore) });

  const ignored = (rel: string, isDir: boolean): boolean => {
    for (const s of scopes) {
      if (!rel.startsWith(s.base)) continue;
      const sub = rel.slice(s.base.length) + (isDir ? '/' : '');
      if (s.rules.ignores(sub)) return true;
    }
    return false;
  };

  const walk = (dirRel: string): void => {
    const abs = dirRel ? join(root, dirRel) : root;
    out.dirs.add(dirRel);
    let pushed = false;
    const gi = join(abs, '.gitignore');
    if (existsSync(gi)) {
      scopes.push({
        base: dirRel ? `${dirRel}/` : '',
        rules: ignore().add(readFileSync(gi, 'utf8')),
      });
      pushed = true;
    }
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      if (pushed) scopes.pop();
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = dirRel ? `${dirRel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || SKIP_DIRS.has(e.name) || e.name.endsWith('.egg-info')) {
          continue;
        }
        if (ignored(rel, true)) continue;
        if (existsSync(join(abs, e.name, 'pyvenv.cfg'))) continue; // a virtualenv of any name
        walk(rel);
      } else if (e.isFile()) {
        const language = languageOf(e.name);
        if (!language || ignored(rel, false)) continue;
        const size = statSync(join(abs, e.name)).size;
        if (size > maxBytes) {
          out.skipped.push({ file: rel, reason: `larger than ${maxBytes} bytes (${size})` });
          continue;
        }
        out.files.push({ file: rel, language, size });
      }
    }
    if (pushed) scopes.pop();
  };
  walk('');
  return out;
}
