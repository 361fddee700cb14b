/**
 * What part of a codebase a file belongs to. Findings in production code come first; those only
 * in tests, fixtures or scripts are summarised separately (`ssot audit --scope`).
 */
export type Scope = 'production' | 'test' | 'fixture' | 'script';

export const SCOPES: readonly Scope[] = ['production', 'test', 'fixture', 'script'];

const FIXTURE =
  /(^|\/)(conftest\.py|fixtures?\/|__fixtures__\/|testdata\/|test_data\/|__mocks__\/)/;
const TEST =
  /(^|\/)(tests?|testing|__tests__|spec|specs|e2e)\/|(^|\/)test_[^/]*\.py$|_test\.py$|\.(test|spec)\.[cm]?[jt]sx?$/;
const SCRIPT = /(^|\/)(scripts?|bin|tools|migrations|alembic|examples?|benchmarks?|bench|docs)\//;

/** The scope of a file, from its path (relative to the root). */
export function scopeOf(file: string): Scope {
  if (FIXTURE.test(file)) return 'fixture';
  if (TEST.test(file)) return 'test';
  if (SCRIPT.test(file)) return 'script';
  return 'production';
}

/** A finding's scope: production when any of its files is, else the most common one. */
export function scopeOfFiles(files: Iterable<string>): Scope {
  const counts = new Map<Scope, number>();
  for (const f of files) {
    const s = scopeOf(f);
    if (s === 'production') return 'production';
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let best: Scope = 'production';
  let most = 0;
  for (const [s, n] of counts) if (n > most) [best, most] = [s, n];
  return best;
}
