import { posix } from 'node:path';
import type { FileRecord, ImportRecord } from '../extract/types.js';
import type { ResolvedImport } from '../resolve/types.js';
import { type Project, probeImport } from '../workspace/project.js';
import type { Target } from './types.js';

export interface TsSpeller {
  /** The specifier `imp` of the file should use to reach the target (keeping its style), or null. */
  specifier(imp: ImportRecord, target: Target): string | null;
}

function isRelative(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..';
}

/** `a/b/x.ts` → `a/b/x`; keeps the extension style of `like` (`.js`, `.ts`, none). */
function styled(targetFile: string, like: string): string[] {
  const ext = /\.[cm]?[jt]sx?$/.exec(like)?.[0] ?? '';
  const stem = targetFile.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
  const own = /\.[cm]?[jt]sx?$/.exec(targetFile)?.[0] ?? '';
  const out: string[] = [];
  if (ext === '') {
    if (/(^|\/)index$/.test(stem) && !/(^|\/)index$/.test(like))
      out.push(stem.replace(/\/?index$/, '') || '.');
    out.push(stem);
  } else if (/^\.[cm]?js|\.jsx$/.test(ext)) {
    const js = own.replace('ts', 'js');
    out.push(stem + (js === '.jsx' && ext !== '.jsx' ? '.js' : js));
  } else out.push(stem + own);
  out.push(stem, stem + own);
  return [...new Set(out)];
}

function relativeTo(fromFile: string, to: string): string {
  let rel = posix.relative(posix.dirname(fromFile), to);
  if (rel === '') rel = '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * TS specifier spelling, checked by resolving it from the importing file: a path alias stays an
 * alias (the alias prefix is learnt from the old specifier and the file it reached), a relative
 * specifier stays relative with the same extension style, and a package name is used for another
 * workspace package's entry.
 */
export function typescriptSpeller(
  project: Project,
  file: string,
  resolved: (i: number) => ResolvedImport,
  record: FileRecord,
): TsSpeller {
  const entries = project.packageEntries();
  const pkgOf = (f: string): string | null => {
    let best: string | null = null;
    for (const dir of entries.values()) {
      if (f.startsWith(`${dir}/`) && (!best || dir.length > best.length)) best = dir;
    }
    return best;
  };
  const reaches = (spec: string, target: string) =>
    project.typescript.resolve(file, probeImport(spec)).file === target;
  return {
    specifier(imp, target) {
      const orig = imp.specifier;
      const index = record.imports.indexOf(imp);
      const origFile = index >= 0 ? resolved(index).file : null;
      const candidates: string[] = [];
      const bareTarget =
        !isRelative(target.module) && !project.has(target.module) ? target.module : null;
      const pkgDir = entries.get(target.file);
      const pkgName =
        pkgDir !== undefined
          ? [...project.typescript.workspacePackages()].find(([, d]) => d === pkgDir)?.[0]
          : undefined;
      const crossPackage = pkgName !== undefined && pkgOf(file) !== pkgDir;
      const relative = styled(relativeTo(file, target.file), orig).map((s) =>
        s.startsWith('.') ? s : `./${s}`,
      );
      if (isRelative(orig)) {
        if (crossPackage) candidates.push(pkgName as string);
        candidates.push(...relative);
        if (bareTarget) candidates.push(bareTarget);
      } else {
        // Learn the alias: the old specifier and its file share a suffix; the rest maps.
        if (origFile) {
          const a = orig
            .replace(/\.[cm]?[jt]sx?$/, '')
            .replace(/\/index$/, '')
            .split('/');
          const b = origFile
            .replace(/\.(d\.)?[cm]?[jt]sx?$/, '')
            .replace(/\/index$/, '')
            .split('/');
          let k = 0;
          while (k < a.length && k < b.length && a[a.length - 1 - k] === b[b.length - 1 - k]) k++;
          const aliasPrefix = a.slice(0, a.length - k).join('/');
          const dirPrefix = b.slice(0, b.length - k).join('/');
          if (aliasPrefix && (dirPrefix === '' || target.file.startsWith(`${dirPrefix}/`))) {
            const rest = dirPrefix === '' ? target.file : target.file.slice(dirPrefix.length + 1);
            for (const s of styled(rest, orig))
              candidates.push(`${aliasPrefix}/${s}`.replace(/\/\.$/, ''));
          }
        }
        if (bareTarget) candidates.push(bareTarget);
        if (pkgName !== undefined) candidates.push(pkgName);
        candidates.push(...relative);
      }
      for (const c of candidates) if (reaches(c, target.file)) return c;
      return null;
    },
  };
}
