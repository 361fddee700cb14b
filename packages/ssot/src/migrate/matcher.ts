import { posix } from 'node:path';
import { getTsconfig } from 'get-tsconfig';
import type { Lookup, MissingTarget, Target } from '../rewrite/types.js';
import { type Project, probeImport } from '../workspace/project.js';
import type { ActiveRule } from './rules.js';

/** A target with the rule that leads there. */
type RuleTarget = Target & { rule: ActiveRule };
type RuleLookup = RuleTarget | (MissingTarget & { rule: ActiveRule }) | null;

export interface ModuleInfo {
  spec: string;
  module: string;
  file: string | null;
}

const TS_SOURCE = /\.(d\.)?[cm]?[jt]sx?$/;

/** Module specifiers in TS/JS source: `from '…'`, `import '…'`, `require('…')`, `import('…')`. */
const TS_SPECIFIER =
  /(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\(|\b(?:jest|vi)\.(?:mock|doMock|unmock|requireActual|importActual)\s*\(|\brequire\.resolve\s*\(|\bimport\.meta\.resolve\s*\()\s*(['"`])([^'"`\n]+)\1/g;

/** Which rules apply to which import, and where each moved module or name goes. */
export class Matcher {
  private readonly byLanguage: Record<'py' | 'ts', ActiveRule[]>;

  constructor(
    readonly rules: ActiveRule[],
    private readonly project: Project,
  ) {
    this.byLanguage = {
      py: rules.filter((r) => r.language === 'py'),
      ts: rules.filter((r) => r.language === 'ts'),
    };
  }

  /**
   * Python: words a file must contain to possibly import a moved module (the last dotted
   * segment), and directories whose files may reach it by relative imports (prefix rules).
   */
  needles(): { words: string[]; dirs: string[] } {
    const out = new Set<string>();
    const dirs = new Set<string>();
    for (const r of this.rules) {
      if (r.language !== 'py') continue;
      if (r.prefix) {
        const pkg = r.from.slice(0, -1).replace(/\.$/, '');
        out.add(pkg.split('.').pop() as string);
        const init = this.project.python.lookupModule(pkg, '');
        if (init) dirs.add(`${posix.dirname(init)}/`);
        continue;
      }
      out.add(r.from.split('.').pop() as string);
    }
    return { words: [...out].filter(Boolean), dirs: [...dirs] };
  }

  private tsWords: { names: Set<string>; bare: Set<string>; prefixes: string[] } | null = null;

  /**
   * Whether a specifier can name a moved TS module, before resolving it: its last segment is
   * the moved file's name (or its directory's, for an index file), it is the rule's package or
   * alias, or it starts with a prefix rule's prefix.
   */
  private mayMatch(spec: string): boolean {
    if (!this.tsWords) {
      const names = new Set<string>();
      const bare = new Set<string>();
      const prefixes: string[] = [];
      const entries = this.project.packageEntries();
      const packages = this.project.typescript.workspacePackages();
      for (const r of this.byLanguage.ts) {
        if (r.prefix) {
          prefixes.push(r.from.slice(0, -1));
          continue;
        }
        const path = r.fromFile ?? r.from;
        const base = posix.basename(path).replace(TS_SOURCE, '');
        names.add(base === 'index' ? posix.basename(posix.dirname(path)) : base);
        names.add(base);
        if (!r.from.startsWith('.') && !this.project.has(r.from)) bare.add(r.from);
        const pkgDir = r.fromFile ? entries.get(r.fromFile) : undefined;
        for (const [name, dir] of packages) if (dir === pkgDir) bare.add(name);
      }
      // Exact tsconfig `paths` keys may name a file by any word (`"#ws": ["src/legacy/socket.ts"]`).
      for (const dir of this.project.tsconfigDirs()) {
        try {
          const paths = getTsconfig(posix.join(this.project.root, dir))?.config.compilerOptions
            ?.paths;
          for (const key of Object.keys(paths ?? {})) if (!key.includes('*')) bare.add(key);
        } catch {}
      }
      this.tsWords = { names, bare, prefixes };
    }
    const w = this.tsWords;
    // `#…` specifiers are package.json `imports`, which may name a file by any word as well.
    if (w.bare.has(spec) || spec.startsWith('#')) return true;
    if (
      w.prefixes.some((p) => spec.startsWith(p) || (spec.startsWith('.') && !p.startsWith('@')))
    ) {
      return true;
    }
    const last = spec.slice(spec.lastIndexOf('/') + 1).replace(TS_SOURCE, '');
    return last === '' || last === '.' || last === '..' || w.names.has(last);
  }

  /** TS: the specifiers written in `text` that reach a moved module (resolved from `file`). */
  tsSpecifiers(file: string, text: string): Set<string> {
    const out = new Set<string>();
    if (this.byLanguage.ts.length === 0) return out;
    for (const m of text.matchAll(TS_SPECIFIER)) {
      const spec = m[2] as string;
      if (out.has(spec) || !this.mayMatch(spec)) continue;
      const r = this.project.typescript.resolve(file, probeImport(spec));
      if (this.matches('ts', { spec, module: r.module, file: r.file })) out.add(spec);
    }
    return out;
  }

  private matchRule(rule: ActiveRule, info: ModuleInfo): string | null {
    if (rule.prefix) {
      const p = rule.from.slice(0, -1);
      const candidates =
        rule.language === 'py' ? [info.module] : [info.file, info.spec, info.module];
      for (const c of candidates) if (c?.startsWith(p) && c.length > p.length) return c;
      return null;
    }
    if (rule.fromFile && info.file === rule.fromFile) return info.module;
    if (info.module === rule.from) return info.module;
    if (rule.language === 'ts' && (info.spec === rule.from || info.file === rule.from))
      return info.module;
    return null;
  }

  private targetOf(rule: ActiveRule, matched: string, importer: string): Exclude<RuleLookup, null> {
    if (rule.toFile) return { module: rule.to, file: rule.toFile, name: null, rule };
    const mapped = rule.to.slice(0, -1) + matched.slice(rule.from.length - 1);
    let file: string | null;
    if (rule.language === 'py') file = this.project.python.lookupModule(mapped, importer);
    else if (this.project.has(mapped)) file = mapped;
    else file = this.project.typescript.resolve(importer, probeImport(mapped)).file;
    return file ? { module: mapped, file, name: null, rule } : { missing: mapped, rule };
  }

  /** Where `name` of the module described by `info` goes (null name: the module itself). */
  lookup(language: 'py' | 'ts', importer: string, info: ModuleInfo, name: string | null): Lookup {
    let current = info;
    let currentName = name;
    let result: RuleLookup = null;
    const seen = new Set<ActiveRule>();
    for (let hop = 0; hop < 8; hop++) {
      const step = this.step(language, importer, current, currentName, seen);
      if (!step) break;
      if (!('file' in step)) return result ?? step;
      seen.add(step.rule);
      const renamed = step.name ?? currentName;
      result = { ...step, name: currentName === null ? null : renamed };
      current = {
        spec: step.module,
        module: language === 'py' ? step.module : step.module,
        file: step.file,
      };
      currentName = currentName === null ? null : renamed;
    }
    return result;
  }

  private step(
    language: 'py' | 'ts',
    importer: string,
    info: ModuleInfo,
    name: string | null,
    seen: Set<ActiveRule>,
  ): RuleLookup {
    const rules = this.byLanguage[language];
    if (name !== null) {
      for (const rule of rules) {
        if (seen.has(rule) || !rule.names || !(name in rule.names)) continue;
        const m = this.matchRule(rule, info);
        if (m === null) continue;
        const t = this.targetOf(rule, m, importer);
        if (!('file' in t)) return t;
        const newName = rule.names[name] as string;
        const factory = rule.factories?.[name];
        if (t.file === info.file && newName === name && !factory) continue; // already canonical
        return factory ? { ...t, name: newName, factory } : { ...t, name: newName };
      }
    }
    for (const rule of rules) {
      if (seen.has(rule) || rule.names) continue;
      const m = this.matchRule(rule, info);
      if (m === null) continue;
      const t = this.targetOf(rule, m, importer);
      if ('file' in t && t.file === info.file) continue;
      return t;
    }
    return null;
  }

  /** Whether any rule concerns the module. */
  matches(language: 'py' | 'ts', info: ModuleInfo): boolean {
    return this.byLanguage[language].some((r) => this.matchRule(r, info) !== null);
  }
}
