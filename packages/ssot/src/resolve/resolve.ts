import type { Discovery } from '../discover/discover.js';
import type { FileRecord } from '../extract/types.js';
import { PythonResolver } from './python.js';
import type { Resolution } from './types.js';
import { TypeScriptResolver } from './typescript.js';

export interface Resolvers {
  python: PythonResolver;
  typescript: TypeScriptResolver;
}

/** Builds the resolvers for one discovered project. */
export function createResolvers(discovery: Discovery, records: FileRecord[]): Resolvers {
  const pyFiles = discovery.files.filter((f) => f.language === 'py').map((f) => f.file);
  const projectFiles = new Set(discovery.files.map((f) => f.file));
  return {
    python: new PythonResolver(
      records.filter((r) => r.language === 'py'),
      pyFiles,
    ),
    typescript: new TypeScriptResolver(discovery.root, projectFiles, discovery.dirs),
  };
}

/** Resolves every import of every record: `result.get(file)[i]` belongs to `record.imports[i]`. */
export function resolveAll(records: FileRecord[], resolvers: Resolvers): Resolution {
  const out: Resolution = new Map();
  for (const r of records) {
    const resolver = r.language === 'py' ? resolvers.python : resolvers.typescript;
    out.set(
      r.file,
      r.imports.map((imp) => resolver.resolve(r.file, imp)),
    );
  }
  return out;
}
