import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Discovery, discover } from '../discover/discover.js';
import { extractPython } from '../extract/python.js';
import type { FileRecord, ImportRecord } from '../extract/types.js';
import { extractTypeScript } from '../extract/typescript.js';
import { PythonResolver } from '../resolve/python.js';
import type { ResolvedImport } from '../resolve/types.js';
import { TypeScriptResolver } from '../resolve/typescript.js';
import type { ModuleFinder } from './rules.js';

const IMPORT_HEAD = /^[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)/gm;

/** A placeholder import record: only what the resolvers read. */
function probe(specifier: string, level = 0, kind: ImportRecord['kind'] = 'import'): ImportRecord {
  return {
    span: { start: 0, end: 0 },
    line: 1,
    column: 1,
    kind,
    specifier,
    specifierSpan: { start: 0, end: 0 },
    level,
    names: [],
    binds: null,
    typeOnly: false,
    typeChecking: false,
    functionLevel: false,
    dynamic: false,
    inTryImportError: false,
  };
}

export { probe as probeImport };

/**
 * The project as `ssot migrate` sees it: every discovered file's text, both resolvers, and
 * syntax records extracted on demand — only files that can mention a moved module are parsed,
 * which keeps a migration of a 10,000-file tree to the few seconds it takes to read it.
 */
export class Project {
  readonly root: string;
  readonly discovery: Discovery;
  readonly python: PythonResolver;
  readonly typescript: TypeScriptResolver;
  private readonly texts = new Map<string, string>();
  private readonly records = new Map<string, FileRecord>();
  private readonly resolutions = new Map<string, ResolvedImport[]>();

  constructor(
    root: string,
    options: {
      ignore?: string[];
      maxFileBytes?: number;
      /** Python top-level names the migration imports (a namespace package nobody imports yet). */
      heads?: string[];
    } = {},
  ) {
    this.root = root;
    this.discovery = discover(root, options);
    const heads = new Set<string>(options.heads ?? []);
    const pyFiles: string[] = [];
    for (const f of this.discovery.files) {
      let text: string;
      try {
        text = readFileSync(join(root, f.file), 'utf8');
      } catch {
        continue;
      }
      if (text.includes('\0')) continue;
      this.texts.set(f.file, text);
      if (f.language === 'py') {
        pyFiles.push(f.file);
        // The Python resolver tells namespace packages by the first segments of absolute imports.
        for (const m of text.matchAll(IMPORT_HEAD)) heads.add(m[1] as string);
      }
    }
    const headRecord = { imports: [...heads].map((h) => probe(h)) } as unknown as FileRecord;
    this.python = new PythonResolver([headRecord], pyFiles);
    this.typescript = new TypeScriptResolver(
      root,
      new Set(this.discovery.files.map((f) => f.file)),
      this.discovery.dirs,
    );
  }

  /** Files in discovery order with their text. */
  files(): { file: string; language: 'py' | 'ts'; text: string }[] {
    const out: { file: string; language: 'py' | 'ts'; text: string }[] = [];
    for (const f of this.discovery.files) {
      const text = this.texts.get(f.file);
      if (text !== undefined) out.push({ file: f.file, language: f.language, text });
    }
    return out;
  }

  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  has(file: string): boolean {
    return this.texts.has(file);
  }

  /** The file's syntax record (parsed once). */
  record(file: string): FileRecord | null {
    const known = this.records.get(file);
    if (known) return known;
    const text = this.texts.get(file);
    if (text === undefined) return null;
    // A byte-order mark becomes a space for the parsers, keeping every offset.
    const t = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
    const record = file.endsWith('.py') ? extractPython(file, t) : extractTypeScript(file, t);
    this.records.set(file, record);
    return record;
  }

  /** Resolves one import of `file` (cached per file and index). */
  resolve(file: string, record: FileRecord, index: number): ResolvedImport {
    let list = this.resolutions.get(file);
    if (!list) {
      list = [];
      this.resolutions.set(file, list);
    }
    let r = list[index];
    if (!r) {
      const imp = record.imports[index] as ImportRecord;
      r =
        record.language === 'py'
          ? this.python.resolve(file, imp)
          : this.typescript.resolve(file, imp);
      list[index] = r;
    }
    return r;
  }

  private tsconfigs: string[] | null = null;

  /** The root and every directory with a tsconfig.json, shallowest first. */
  tsconfigDirs(): string[] {
    if (!this.tsconfigs) {
      const dirs = [...this.discovery.dirs].filter(
        (d) => d !== '' && existsSync(join(this.root, d, 'tsconfig.json')),
      );
      dirs.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
      this.tsconfigs = ['', ...dirs];
    }
    return this.tsconfigs;
  }

  /** Python dotted name of a `.py` file. */
  moduleName(file: string): string {
    return this.python.moduleName(file);
  }

  finder(): ModuleFinder {
    return {
      python: (module) => this.python.lookupModule(module, ''),
      typescript: (module) => {
        if (this.texts.has(module)) return module;
        // A path alias resolves under the tsconfig that declares it: try the root, then every
        // directory holding a tsconfig.json.
        for (const dir of this.tsconfigDirs()) {
          const importer = dir ? `${dir}/__ssot__.ts` : '__ssot__.ts';
          const r = this.typescript.resolve(importer, probe(module));
          if (r.file) return r.file;
        }
        return null;
      },
      exportsName: (file, name) => {
        const record = this.record(file);
        if (!record || record.parseError) return false;
        if (record.imports.some((i) => i.kind === 'export-all')) return true;
        if (record.bindings.some((b) => b.name === name)) return true;
        if (record.exports.some((e) => e.exported === name)) return true;
        if (record.language === 'py') {
          return record.imports.some(
            (i) => i.binds === name || i.names.some((n) => n.local === name),
          );
        }
        return record.imports.some(
          (i) => i.kind === 'reexport' && i.names.some((n) => n.local === name),
        );
      },
    };
  }
}
