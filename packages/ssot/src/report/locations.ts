import type { Finding, Place } from '../analyze/types.js';

/** The place a finding is shown at first, and the other places it names. */
export function placesOf(f: Finding): { primary: Place; related: (Place & { note: string })[] } {
  switch (f.rule) {
    case 'duplicate-definition': {
      const [first, ...rest] = f.bindings;
      return {
        primary: { file: first?.file ?? '', line: first?.line ?? 1 },
        related: rest.map((b) => ({ file: b.file, line: b.line, note: `${f.symbol} (${b.kind})` })),
      };
    }
    case 'import-fragmentation':
      return {
        primary: { file: f.definition.file, line: f.definition.line },
        related: f.paths.flatMap((p) =>
          p.locations.slice(0, 20).map((l) => ({ ...l, note: `imported via ${p.module}` })),
        ),
      };
    case 'shim-module':
      return { primary: { file: f.file, line: 1 }, related: [] };
    case 'cycle': {
      const [first, ...rest] = f.edges;
      return {
        primary: { file: first?.file ?? '', line: first?.line ?? 1 },
        related: rest.map((e) => ({
          file: e.file,
          line: e.line,
          note: `${e.from} imports ${e.to} (${e.kind})`,
        })),
      };
    }
    case 'deprecated-import': {
      const [first, ...rest] = f.imports;
      return {
        primary: { file: f.file, line: first?.line ?? 1 },
        related: rest.map((u) => ({ file: f.file, line: u.line, note: u.module })),
      };
    }
  }
}

export const RULE_DESCRIPTIONS: Record<Finding['rule'], string> = {
  'duplicate-definition':
    'One name bound (class, function or alias) in several modules, grouped by the implementation each binding resolves to.',
  'import-fragmentation':
    'One implementation reached through several import paths, with statements and files per path and the canonical share.',
  'shim-module': 'A module that only re-exports, with how many modules import through it.',
  cycle:
    'An import cycle: runtime, or closed only by type-only, TYPE_CHECKING, function-level or dynamic imports.',
  'deprecated-import': 'Imports of module paths or names that ssot.config.json marks deprecated.',
};
