import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceFile } from '../discover/discover.js';
import { type FileWrite, type WriteMethod, writeAll } from '../workspace/journal.js';
import type { Project, ProjectSnapshot } from '../workspace/project.js';
import { type MigrationPlan, type PlanOptions, planMigration, sortedFiles } from './plan.js';
import type { ActiveRule } from './rules.js';

/** Below this many bytes of source, threads cost more than they save. */
export const PARALLEL_MIN_BYTES = 4_000_000;

/** Files per batch handed out to the planning threads (neighbouring paths share resolver caches). */
const BATCH = 48;

export interface PlanJob {
  snapshot: ProjectSnapshot;
  rules: ActiveRule[];
  options: PlanOptions;
  files: SourceFile[];
  /** Three Int32 counters shared by the planning threads: batches taken, from the front, from the back. */
  counter: SharedArrayBuffer;
}

/**
 * Hands out batches of `files` through counters shared by the threads: this thread takes them
 * from the front, the workers from the back, until they meet — each thread keeps to one end of
 * the sorted tree (its directories, mostly one language), and whoever is free takes the next.
 */
export function batchSource(
  files: SourceFile[],
  counter: SharedArrayBuffer,
  fromBack: boolean,
): () => SourceFile[] | null {
  const c = new Int32Array(counter);
  const batches = Math.ceil(files.length / BATCH);
  return () => {
    if (Atomics.add(c, 0, 1) >= batches) return null;
    const i = fromBack ? batches - 1 - Atomics.add(c, 2, 1) : Atomics.add(c, 1, 1);
    return files.slice(i * BATCH, (i + 1) * BATCH);
  };
}

/**
 * Planning threads, started early (they load the parsers while the tree is walked). This
 * thread plans too; batches go to whichever thread is free, so the work balances itself.
 */
export class PlannerPool {
  private readonly workers: Worker[] = [];

  constructor(size: number) {
    // From the TypeScript sources (tests, `npx ssot` before a build) a worker registers tsx first.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
    for (let i = 0; i < size; i++) {
      this.workers.push(
        fromSource
          ? new Worker(
              `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
                 .then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
              { eval: true },
            )
          : new Worker(url),
      );
    }
  }

  async plan(
    project: Project,
    rules: ActiveRule[],
    options: PlanOptions = {},
  ): Promise<MigrationPlan> {
    const { limit, ...rest } = options;
    const files = sortedFiles(project);
    const job: PlanJob = {
      snapshot: project.snapshot(),
      rules,
      options: rest,
      files,
      counter: new SharedArrayBuffer(12),
    };
    const results = this.workers.map(
      (w) =>
        new Promise<MigrationPlan>((resolve, reject) => {
          w.once('message', (p: MigrationPlan) => {
            w.removeAllListeners();
            resolve(p);
          });
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`migrate worker exited with code ${code}`)));
          w.postMessage(job);
        }),
    );
    // This thread starts from the back of the sorted tree and the workers from the front. In a
    // mixed tree the front holds the Python files, whose syntax nodes (tree-sitter) each leave a
    // finalizer to run once the thread is idle; run on a worker, they do not hold up this thread
    // when it collects the workers' plans.
    const own = planMigration(project, rules, rest, batchSource(files, job.counter, true));
    const plans = [own, ...(await Promise.all(results))];
    const byName = (a: { file: string }, b: { file: string }) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
    const merged: MigrationPlan = {
      rules,
      changes: plans.flatMap((p) => p.changes).sort(byName),
      skipped: plans.flatMap((p) => p.skipped).sort(byName),
      notes: plans.flatMap((p) => p.notes).sort(byName),
      stats: {
        files: plans.reduce((n, p) => n + p.stats.files, 0),
        candidates: plans.reduce((n, p) => n + p.stats.candidates, 0),
        statements: 0,
        deferred: 0,
        unparsable: plans.reduce((n, p) => n + p.stats.unparsable, 0),
      },
    };
    for (const c of merged.changes) if (!c.before) c.before = project.text(c.file) ?? '';
    if (limit !== undefined && merged.changes.length > limit) {
      merged.stats.deferred = merged.changes.length - limit;
      merged.changes = merged.changes.slice(0, limit);
    }
    merged.stats.statements = merged.changes.reduce((n, c) => n + c.statements, 0);
    return merged;
  }

  /** Writes files on the first worker (after `plan`). */
  write(files: FileWrite[], method: WriteMethod): Promise<void> {
    const w = this.workers[0];
    if (!w) {
      writeAll(files, method);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      w.removeAllListeners();
      w.once('message', (m: { error: string | null }) =>
        m.error ? reject(new Error(m.error)) : resolve(),
      );
      w.once('error', reject);
      w.postMessage({ files, method });
    });
  }

  close(): void {
    for (const w of this.workers) {
      w.removeAllListeners();
      void w.terminate();
    }
  }
}

/** Planner threads for a tree of this many bytes (0: plan on this thread only). */
export function plannerThreads(bytes: number, requested?: number): number {
  return requested ?? (bytes < PARALLEL_MIN_BYTES ? 0 : Math.min(availableParallelism(), 8));
}
