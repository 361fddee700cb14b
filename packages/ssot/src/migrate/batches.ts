import { resolve as resolvePath } from 'node:path';
import picomatch from 'picomatch';
import { loadConfig } from '../config/config.js';
import { discover } from '../discover/discover.js';
import { UserError } from '../errors.js';
import { type MigrateOptions, type MigrateResult, migrate } from './migrate.js';

export interface BatchOutcome {
  name: string;
  status: 'landed' | 'rolled back' | 'not run' | 'planned';
  result: MigrateResult | null;
}

export interface BatchesResult {
  batches: BatchOutcome[];
  /** The first batch whose verify failed (its files were restored), or null. */
  failed: string | null;
}

/**
 * `ssot migrate --batches`: the config's `migrate.batches` in order, each a migration of its
 * globs with its own `verify` (else the run's). With `write`, the first batch whose verify fails
 * is rolled back — that batch only, the earlier ones stay — and the rest are not run. Every glob
 * must match a file; one that matches nothing stops the run before anything changes.
 */
export async function migrateBatches(options: MigrateOptions): Promise<BatchesResult> {
  const root = resolvePath(options.root);
  const config = options.config ?? loadConfig(root, options.configPath).config;
  const batches = config.migrate?.batches ?? [];
  if (batches.length === 0)
    throw new UserError('--batches: the config has no migrate.batches (name, include, verify)');
  const files = discover(root, { ignore: config.ignore, maxFileBytes: config.maxFileBytes }).files;
  const empty: string[] = [];
  for (const b of batches) {
    for (const glob of b.include) {
      const match = picomatch(glob, { dot: true });
      if (!files.some((f) => match(f.file))) empty.push(`${b.name}: "${glob}"`);
    }
  }
  if (empty.length)
    throw new UserError(
      `--batches: globs that match no file: ${empty.join(', ')}; nothing changed`,
    );
  const out: BatchOutcome[] = batches.map((b) => ({
    name: b.name,
    status: 'not run',
    result: null,
  }));
  let failed: string | null = null;
  for (const [i, b] of batches.entries()) {
    const outcome = out[i] as BatchOutcome;
    const result = await migrate({
      ...options,
      root,
      config,
      include: b.include,
      verify: options.write ? (b.verify ?? options.verify) : undefined,
      // Later batches write over the files earlier ones wrote; the first one checked the tree.
      allowDirty: options.allowDirty || i > 0,
    });
    outcome.result = result;
    if (!options.write) {
      outcome.status = 'planned';
      continue;
    }
    if (result.rolledBack) {
      outcome.status = 'rolled back';
      failed = b.name;
      break;
    }
    outcome.status = 'landed';
  }
  return { batches: out, failed };
}
