import { existsSync, readFileSync } from 'node:fs';
import type { CycleFinding, DuplicateDefinitionFinding } from '../analyze/types.js';
import { languageOf } from '../discover/discover.js';
import { UserError } from '../errors.js';

/** One duplicate definition as the baseline holds it: its identity and how many modules bind it. */
export interface BaselineDuplicate {
  /** Number of modules binding the name (the ratchet: never raised). */
  modules: number;
  /** The module files binding it when the baseline was written. */
  files: string[];
}

/**
 * `ssot-baseline.json`: the counts `ssot check` holds a change to. They only go down. Every entry
 * is keyed by the finding's identity — language, rule, symbol or modules — so a Python and a
 * TypeScript definition of one name are two entries.
 */
export interface Baseline {
  version: 2;
  /** Deprecated import statements. */
  deprecated: number;
  /** Import cycles by identity (`py runtime: a → b`, language, kind, modules in order). */
  cycles: string[];
  /** Duplicate definitions by identity (`py duplicate-definition PerformanceMetrics`). */
  duplicates: Record<string, BaselineDuplicate>;
}

/** Version 1 (symbol → count, cycles without language): read, and upgraded when written again. */
interface BaselineV1 {
  version: 1;
  deprecated: number;
  cycles: string[];
  duplicates: Record<string, number>;
}

function languageOfFiles(files: string[]): string {
  return (files[0] && languageOf(files[0])) ?? 'unknown';
}

export function cycleKey(f: CycleFinding): string {
  return `${languageOfFiles(f.files)} ${f.kind}: ${f.modules.join(' → ')}`;
}

export function duplicateKey(d: DuplicateDefinitionFinding): string {
  return `${languageOfFiles(d.bindings.map((b) => b.file))} duplicate-definition ${d.symbol}`;
}

export function duplicateFiles(d: DuplicateDefinitionFinding): string[] {
  return [...new Set(d.bindings.map((b) => b.file))].sort();
}

/** A v1 key (no language) matches entries of any language: what such a baseline meant. */
const LEGACY = '*';

export function readBaseline(path: string): Baseline | null {
  if (!existsSync(path)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`invalid baseline ${path}: not valid JSON (${(e as Error).message})`);
  }
  const b = data as Partial<Baseline> | Partial<BaselineV1>;
  if (
    (b.version !== 1 && b.version !== 2) ||
    typeof b.deprecated !== 'number' ||
    !Array.isArray(b.cycles) ||
    typeof b.duplicates !== 'object' ||
    b.duplicates === null
  ) {
    throw new UserError(
      `invalid baseline ${path}: expected { version: 2, deprecated, cycles, duplicates }`,
    );
  }
  if (b.version === 2) {
    for (const [key, v] of Object.entries(b.duplicates)) {
      if (typeof v !== 'object' || v === null || typeof v.modules !== 'number')
        throw new UserError(
          `invalid baseline ${path}: duplicates["${key}"] needs { modules, files }`,
        );
    }
    return b as Baseline;
  }
  const v1 = b as BaselineV1;
  return {
    version: 2,
    deprecated: v1.deprecated,
    cycles: v1.cycles.map((c) => `${LEGACY} ${c}`),
    duplicates: Object.fromEntries(
      Object.entries(v1.duplicates).map(([symbol, n]) => [
        `${LEGACY} duplicate-definition ${symbol}`,
        { modules: n, files: [] },
      ]),
    ),
  };
}

const legacy = (key: string) => `${LEGACY}${key.slice(key.indexOf(' '))}`;

/** The baseline's entry for a cycle or duplicate key (a v1 entry stands for every language). */
export function knownCycle(b: Baseline | null, key: string): string | null {
  if (!b) return null;
  if (b.cycles.includes(key)) return key;
  return b.cycles.includes(legacy(key)) ? legacy(key) : null;
}

export function knownDuplicate(b: Baseline | null, key: string): BaselineDuplicate | null {
  if (!b) return null;
  return b.duplicates[key] ?? b.duplicates[legacy(key)] ?? null;
}

/**
 * The next baseline: without one, the current state; with one, only what it already holds, each
 * count lowered to the current one and never raised, what is gone dropped.
 */
export function nextBaseline(
  before: Baseline | null,
  current: { deprecated: number; cycles: CycleFinding[]; duplicates: DuplicateDefinitionFinding[] },
): Baseline {
  const cycles = current.cycles
    .map(cycleKey)
    .filter((k) => !before || knownCycle(before, k) !== null);
  const duplicates: [string, BaselineDuplicate][] = [];
  for (const d of current.duplicates) {
    const key = duplicateKey(d);
    const was = knownDuplicate(before, key);
    if (before && !was) continue;
    const files = duplicateFiles(d);
    duplicates.push([
      key,
      {
        modules: was ? Math.min(was.modules, d.modules) : d.modules,
        // A file that was not there is not accepted by an update either.
        files: was?.files.length ? files.filter((f) => was.files.includes(f)) : files,
      },
    ]);
  }
  return {
    version: 2,
    deprecated: before ? Math.min(before.deprecated, current.deprecated) : current.deprecated,
    cycles: [...new Set(cycles)].sort(),
    duplicates: Object.fromEntries(duplicates.sort((a, b) => (a[0] < b[0] ? -1 : 1))),
  };
}
