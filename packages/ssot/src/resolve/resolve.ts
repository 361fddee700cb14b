import type { Discovery } from '../discover/discover.js';
import type { FileRecord } from '../extract/types.js';
import { PythonResolver } from './python.js';
import type { Resolution } from './types.js';
import { TypeScriptResolver } from './typescript.js';

export interface Resolvers {
  python: PythonResolver;
  typescript: TypeScriptResolver;
}

/**
 * The TS/JS resolver needs only the discovered files (not other records), so the audit builds it
 * first and resolves TS/JS records while Python files are still being extracted.
 */
export function createTypeScriptResolver(discovery: Discovery): TypeScriptResolver {
  const projectFiles = new Set(discovery.files.map((f) => f.file));
  return new TypeScriptResolver(discovery.root, projectFiles, discovery.dirs);
}

/** Python roots and namespace packages depend on every Python record's imports. */
export function createPythonResolver(discovery: Discovery, records: FileRecord[]): PythonResolver {
  const pyFiles = discovery.files.filter((f) => f.language === 'py').map((f) => f.file);
  return new PythonResolver(
    records.filter((r) => r.language === 'py'),
    pyFiles,
  );
}

/** Builds the resolvers for one discovered project. */
export function createResolvers(
  discovery: Discovery,
  records: FileRecord[],
  typescript: TypeScriptResolver = createTypeScriptResolver(discovery),
): Resolvers {
  return { python: createPythonResolver(discovery, records), typescript };
}

/** Resolves the imports of `records` (one language's resolver) into `out`. */
export function resolveInto(
  records: FileRecord[],
  resolver: PythonResolver | TypeScriptResolver,
  out: Resolution,
): void {
  for (const r of records) {
    out.set(
      r.file,
      r.imports.map((imp) => resolver.resolve(r.file, imp)),
    );
  }
}

/** Resolves every import of every record: `result.get(file)[i]` belongs to `record.imports[i]`. */
export function resolveAll(records: FileRecord[], resolvers: Resolvers): Resolution {
  const out: Resolution = new Map();
  resolveInto(
    records.filter((r) => r.language === 'py'),
    resolvers.python,
    out,
  );
  resolveInto(
    records.filter((r) => r.language === 'ts'),
    resolvers.typescript,
    out,
  );
  return out;
}
