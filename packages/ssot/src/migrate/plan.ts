import picomatch from 'picomatch';
import type { SourceFile } from '../discover/discover.js';
import type { ImportRecord } from '../extract/types.js';
import { rewriteFile } from '../rewrite/index.js';
import type { RewriteInput, RewriteOutput } from '../rewrite/types.js';
import { applyEdits } from '../workspace/edits.js';
import { parses, reparsesPython } from '../workspace/parse.js';
import { type Project, probeImport } from '../workspace/project.js';
import { Matcher, type ModuleInfo } from './matcher.js';
import type { ActiveRule } from './rules.js';

export interface FileChange {
  file: string;
  language: 'py' | 'ts';
  before: string;
  after: string;
  /** Import statements rewritten. */
  statements: number;
  /** Statements of this file left as they are, with the reason. */
  notes: string[];
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface MigrationPlan {
  rules: ActiveRule[];
  changes: FileChange[];
  /** Files left untouched although a rule applies: parse errors, unsafe renames, broken rewrites. */
  skipped: SkippedFile[];
  /** Statement-level notes of files that were not changed at all. */
  notes: { file: string; note: string }[];
  stats: {
    files: number;
    /** Files that mention a moved module by name and were parsed. */
    candidates: number;
    statements: number;
    /** Files left out by --limit. */
    deferred: number;
    /** Candidates that do not parse and mention no deprecated module path (counted, not listed). */
    unparsable: number;
  };
}

export interface PlanOptions {
  /** Globs (relative to the root) a file must match; default all. */
  include?: string[];
  exclude?: string[];
  /** Change at most this many files (the rest stay for the next batch). */
  limit?: number;
}

/** Rules → per-file edits → new texts (nothing is written). */
export function planMigration(
  project: Project,
  rules: ActiveRule[],
  options: PlanOptions = {},
  /** Hands out the next batch of files (null when done); default: every file, in path order. */
  source?: () => SourceFile[] | null,
): MigrationPlan {
  const matcher = new Matcher(rules, project);
  const needles = matcher.needles();
  const finder = project.finder();
  const include = options.include?.length ? picomatch(options.include, { dot: true }) : null;
  const exclude = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : null;
  const plan: MigrationPlan = {
    rules,
    changes: [],
    skipped: [],
    notes: [],
    stats: { files: 0, candidates: 0, statements: 0, deferred: 0, unparsable: 0 },
  };
  const mentions = (s: string) => needles.words.some((n) => s.includes(n));
  // Python module paths the rules move (a prefix rule's package): what "mentions a deprecated
  // path" means for a file that cannot be parsed.
  const pythonPaths = (keep: (r: ActiveRule) => boolean) =>
    rules
      .filter((r) => r.language === 'py' && keep(r))
      .map((r) => r.from.replace(/\.?\*$/, ''))
      .filter(Boolean);
  const deprecatedPaths = pythonPaths((r) => r.from !== r.to);
  // Strings may name a moved module or a renamed name of the canonical one.
  const stringPaths = pythonPaths(() => true);
  const inside = (f: string) => needles.dirs.some((d) => f.startsWith(d));
  const next = source ?? onePass(sortedFiles(project));
  for (let batch = next(); batch; batch = next()) {
    for (const { file, language } of batch) planFile(file, language);
  }
  return plan;

  function planFile(file: string, language: 'py' | 'ts'): void {
    plan.stats.files++;
    if (include && !include(file)) return;
    if (exclude?.(file)) return;
    const text = project.text(file);
    if (text === undefined) return;
    const within = language === 'py' && inside(file);
    const specs = language === 'ts' ? matcher.tsSpecifiers(file, text) : null;
    if (specs ? specs.size === 0 : !within && !mentions(text)) return;
    const record = project.imports(file);
    if (!record) return;
    plan.stats.candidates++;
    if (record.parseError) {
      if (language === 'py' && !deprecatedPaths.some((p) => text.includes(p))) {
        plan.stats.unparsable++;
        return;
      }
      plan.skipped.push({
        file,
        reason: `does not parse (line ${record.parseError.line}: ${record.parseError.message}); never touched`,
      });
      return;
    }
    const relevant = record.imports.map((imp) =>
      specs
        ? specs.has(imp.specifier)
        : (within && imp.level > 0) ||
          mentions(imp.specifier) ||
          imp.names.some((n) => mentions(n.imported)),
    );
    // Python test files may name a moved module only in strings (`patch("old.mod.X")`).
    const strings =
      language === 'py'
        ? stringPaths.some((p) => text.includes(p))
        : [...(specs ?? [])].some((s) => !record.imports.some((i) => i.specifier === s));
    if (!relevant.some(Boolean) && !strings) return;
    const resolved = (i: number) => project.resolve(file, record, i);
    const m = matcher;
    const info = (i: number): ModuleInfo => {
      const imp = record.imports[i] as ImportRecord;
      const r = resolved(i);
      return { spec: imp.specifier, module: r.module, file: r.file };
    };
    /** A module named in a string: a Python dotted name, or a TS specifier resolved from the file. */
    const moduleInfo = (module: string): ModuleInfo => {
      if (language === 'py')
        return { spec: module, module, file: project.python.lookupModule(module, '') };
      const r = project.typescript.resolve(file, probeImport(module));
      return { spec: module, module: r.module, file: r.file };
    };
    const tree = language === 'py' ? project.takeTree(file) : undefined;
    const input: RewriteInput = {
      file,
      text,
      record,
      tree,
      resolved,
      lookup: (i, name, module) => {
        if (!relevant[i]) return null;
        const base = module
          ? { spec: module.module, module: module.module, file: module.file }
          : info(i);
        return m.lookup(language, file, base, name);
      },
      matches: (i) => relevant[i] === true && m.matches(language, info(i)),
      defines: (f, name) => finder.exportsName(f, name),
      lookupModule: (module, name) => m.lookup(language, file, moduleInfo(module), name),
      concerns: (module) => m.matches(language, moduleInfo(module)),
      usesName: (module, name) => {
        const f = project.python.lookupModule(module, '');
        return f ? usesName(project, f, name) : null;
      },
    };
    let out: RewriteOutput;
    try {
      out = rewriteFile(language, input, project);
    } catch (e) {
      plan.skipped.push({
        file,
        reason: `internal error while rewriting: ${(e as Error).message}`,
      });
      return;
    }
    if (out.skip) {
      plan.skipped.push({ file, reason: out.skip });
      return;
    }
    if (out.edits.length === 0) {
      for (const note of out.notes) plan.notes.push({ file, note });
      return;
    }
    let after: string;
    try {
      // New lines follow the file's own line endings.
      if (text.includes('\r\n')) {
        for (const e of out.edits) e.text = e.text.replace(/\r?\n/g, '\r\n');
      }
      after = applyEdits(text, out.edits);
    } catch (e) {
      plan.skipped.push({ file, reason: `internal error: ${(e as Error).message}` });
      return;
    }
    if (after === text) return;
    const ok =
      language === 'py' && tree && text.charCodeAt(0) !== 0xfeff
        ? reparsesPython(text, tree, out.edits, after)
        : parses(file, after);
    if (!ok) {
      plan.skipped.push({ file, reason: 'the rewritten file would not parse; left unchanged' });
      return;
    }
    if (options.limit !== undefined && plan.changes.length >= options.limit) {
      plan.stats.deferred++;
      return;
    }
    plan.changes.push({
      file,
      language,
      before: text,
      after,
      statements: out.statements,
      notes: out.notes,
    });
    plan.stats.statements += out.statements;
  }
}

export function sortedFiles(project: Project): SourceFile[] {
  return [...project.discovery.files].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
  );
}

function onePass(files: SourceFile[]): () => SourceFile[] | null {
  let done = false;
  return () => {
    if (done) return null;
    done = true;
    return files;
  };
}

/**
 * The first line where a Python module uses `name` other than importing, re-exporting or
 * defining it (its own code looks the name up in its namespace), or null.
 */
function usesName(
  project: Project,
  file: string,
  name: string,
): { file: string; line: number } | null {
  const text = project.text(file);
  const record = project.imports(file);
  if (text === undefined || !record || record.parseError) return null;
  const word = new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g');
  for (const m of text.matchAll(word)) {
    const at = m.index as number;
    if (record.imports.some((i) => at >= i.span.start && at < i.span.end)) continue;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const before = text.slice(lineStart, at);
    if (before.includes('#') || /__all__/.test(text.slice(lineStart, text.indexOf('\n', at))))
      continue;
    if (
      /^\s*(class|def)\s+$/.test(before) ||
      (/^\s*$/.test(before) && /^\w+\s*=/.test(text.slice(at)))
    )
      continue;
    if ((before.match(/["']/g)?.length ?? 0) % 2 === 1) continue;
    return { file, line: text.slice(0, at).split('\n').length };
  }
  return null;
}
