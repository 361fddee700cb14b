import type { ImportRecord } from '../../extract/types.js';
import { type Project, probeImport } from '../../workspace/project.js';

export interface PySpeller {
  /** How `imp` (of the file) should spell a `from X import` module: relative when it was and can be. */
  fromModule(imp: ImportRecord, module: string, file: string | null): string;
}

/** Python module spelling: keeps relative imports relative when the target is in the same top package. */
export function pythonSpeller(project: Project, file: string): PySpeller {
  return {
    fromModule(imp, module, targetFile) {
      if (imp.level === 0 || module === '') return module;
      const own = project.moduleName(file).split('.');
      const pkg = file.endsWith('__init__.py') ? own : own.slice(0, -1);
      const target = module.split('.');
      let c = 0;
      while (c < pkg.length && c < target.length && pkg[c] === target[c]) c++;
      if (c === 0) return module;
      const level = pkg.length - c + 1;
      const rel = '.'.repeat(level) + target.slice(c).join('.');
      const r = project.python.resolve(file, probeImport(rel, level));
      const ok = targetFile ? r.file === targetFile : r.module === module;
      return ok ? rel : module;
    },
  };
}
