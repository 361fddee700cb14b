import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Parser from 'tree-sitter';
import { type Discovery, discover } from '../discover/discover.js';
import { extractPython } from '../extract/python.js';
import type { FileRecord, ImportRecord } from '../extract/types.js';
import { extractTypeScript } from '../extract/typescript.js';
import { PythonResolver } from '../resolve/python.js';
import type { ResolvedImport } from '../resolve/types.js';
import { TypeScriptResolver } from '../resolve/typescript.js';
import { parsePython } from './parse.js';

const IMPORT_HEAD = /^[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)/gm;

const TS_LIKE = /[/@]|^\.|\.[cm]?[jt]sx?$/;

/** Whether a module string is written the TS way (a path, a scoped package, an extension). */
export function looksLikeTs(module: string): boolean {
  return TS_LIKE.test(module);
}

/** Looks up where module strings lead in the project. */
export interface ModuleFinder {
  /** The file of a Python dotted module name, or null. */
  python(module: string): string | null;
  /** The file a TS specifier (package, alias) or a root-relative file path reaches, or null. */
  typescript(module: string): string | null;
  /** Whether the file binds or re-exports `name` (true when it cannot tell, e.g. `export *`). */
  exportsName(file: string, name: string): boolean;
  /** What kind of binding `name` is at the top of the file, or null when it binds none. */
  bindingKind?(file: string, name: string): string | null;
}

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
 * The project as `ssot migrate`, `check` and `shim` see it: every discovered file's text, both resolvers, and
 * syntax records extracted on demand — only files that can mention a moved module are parsed,
 * which keeps a migration of a 10,000-file tree to the few seconds it takes to read it.
 */
export interface ProjectOptions {
  ignore?: string[];
  maxFileBytes?: number;
  /** Python top-level names the migration imports (a namespace package nobody imports yet). */
  heads?: string[];
  /** The walk, when the caller has done it already. */
  discovery?: Discovery;
}

/** What a worker needs to rebuild the project without walking or reading the tree again. */
export interface ProjectSnapshot {
  root: string;
  files: Discovery['files'];
  dirs: string[];
  heads: string[];
  /** Texts already read (the Python files, for the heads): a worker need not read them again. */
  texts: Map<string, string | null>;
}

export class Project {
  readonly root: string;
  readonly discovery: Discovery;
  readonly python: PythonResolver;
  readonly typescript: TypeScriptResolver;
  /** First segments of absolute Python imports (for namespace packages). */
  readonly heads: string[];
  private readonly texts: Map<string, string | null>;
  private readonly records = new Map<string, FileRecord>();
  private readonly importRecords = new Map<string, FileRecord>();
  private readonly resolutions = new Map<string, ResolvedImport[]>();
  private readonly trees = new Map<string, Parser.Tree>();
  private readonly known: Set<string>;
  private entries: Map<string, string> | null = null;

  /** Walks the root and reads every file (the Python import heads come from all of them). */
  constructor(root: string, options?: ProjectOptions);
  /** Rebuilds a project from a snapshot; files it does not bring are read when first needed. */
  constructor(snapshot: ProjectSnapshot);
  constructor(rootOrSnapshot: string | ProjectSnapshot, options: ProjectOptions = {}) {
    if (typeof rootOrSnapshot === 'string') {
      this.root = rootOrSnapshot;
      this.texts = new Map();
      this.discovery = options.discovery ?? discover(rootOrSnapshot, options);
      this.known = new Set(this.discovery.files.map((f) => f.file));
      const heads = new Set<string>(options.heads ?? []);
      for (const f of this.discovery.files) {
        // The Python resolver tells namespace packages by the first segments of absolute imports.
        const text = f.language === 'py' ? this.text(f.file) : undefined;
        if (text !== undefined)
          for (const m of text.matchAll(IMPORT_HEAD)) heads.add(m[1] as string);
      }
      this.heads = [...heads];
    } else {
      this.root = rootOrSnapshot.root;
      this.discovery = {
        root: rootOrSnapshot.root,
        files: rootOrSnapshot.files,
        skipped: [],
        dirs: new Set(rootOrSnapshot.dirs),
      };
      this.heads = rootOrSnapshot.heads;
      this.known = new Set(this.discovery.files.map((f) => f.file));
      this.texts = rootOrSnapshot.texts;
    }
    const headRecord = { imports: this.heads.map((h) => probe(h)) } as unknown as FileRecord;
    this.python = new PythonResolver(
      [headRecord],
      this.discovery.files.filter((f) => f.language === 'py').map((f) => f.file),
    );
    this.typescript = new TypeScriptResolver(this.root, this.known, this.discovery.dirs);
  }

  snapshot(): ProjectSnapshot {
    return {
      root: this.root,
      files: this.discovery.files,
      dirs: [...this.discovery.dirs],
      heads: this.heads,
      texts: this.texts,
    };
  }

  /** The file's text (read once; undefined for unreadable or binary files). */
  text(file: string): string | undefined {
    let text = this.texts.get(file);
    if (text === undefined) {
      if (!this.known.has(file)) return undefined;
      try {
        text = readFileSync(join(this.root, file), 'utf8');
        if (text.includes('\0')) text = null;
      } catch {
        text = null;
      }
      this.texts.set(file, text);
    }
    return text ?? undefined;
  }

  has(file: string): boolean {
    return this.known.has(file);
  }

  /** Workspace package entry files → package directory (cached). */
  packageEntries(): Map<string, string> {
    this.entries ??= this.typescript.packageEntries();
    return this.entries;
  }

  /** The file's syntax record (parsed once). */
  record(file: string): FileRecord | null {
    return this.records.get(file) ?? this.extract(file, 'all');
  }

  /**
   * The file's imports (bindings and exports left out for TS/JS, which makes parsing cheaper):
   * all a file being rewritten needs. A full record, when there is one, serves too.
   */
  imports(file: string): FileRecord | null {
    return this.records.get(file) ?? this.importRecords.get(file) ?? this.extract(file, 'imports');
  }

  private extract(file: string, scope: 'all' | 'imports'): FileRecord | null {
    const text = this.text(file);
    if (text === undefined) return null;
    // A byte-order mark becomes a space for the parsers, keeping every offset.
    const t = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
    if (file.endsWith('.py')) {
      const tree = parsePython(t);
      this.trees.set(file, tree);
      const record = extractPython(file, t, tree);
      this.records.set(file, record);
      return record;
    }
    const record = extractTypeScript(file, t, scope);
    (scope === 'all' ? this.records : this.importRecords).set(file, record);
    return record;
  }

  /** The Python tree `record()` parsed, handed over once (the rewriter consumes it). */
  takeTree(file: string): Parser.Tree | undefined {
    const t = this.trees.get(file);
    this.trees.delete(file);
    return t;
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
        if (this.known.has(module)) return module;
        // A path alias resolves under the tsconfig that declares it: try the root, then every
        // directory holding a tsconfig.json.
        for (const dir of this.tsconfigDirs()) {
          const importer = dir ? `${dir}/__ssot__.ts` : '__ssot__.ts';
          const r = this.typescript.resolve(importer, probe(module));
          if (r.file) return r.file;
        }
        return null;
      },
      bindingKind: (file, name) => {
        const record = this.record(file);
        return record?.bindings.find((b) => b.name === name)?.kind ?? null;
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
