import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceFile } from '../discover/discover.js';
import { type ExtractResult, extractFiles } from './extract.js';
import type { FileRecord } from './types.js';

export interface ExtractOptions {
  /** Worker threads to use; 0 extracts on the calling thread. Default: one per core for large inputs. */
  workers?: number;
  /** Called after each batch with the number of files done. */
  onProgress?: (done: number, total: number) => void;
  /** Called with each batch of records as it arrives (before the stage ends). */
  onRecords?: (records: FileRecord[]) => void;
  /** Workers started earlier (see `ExtractPool`); closed unused when the input is small. */
  pool?: ExtractPool;
}

const BATCH = 64;
/** Below this many bytes of source, threads cost more than they save. */
const PARALLEL_MIN_BYTES = 2_000_000;

/** The worker count for large inputs: one per core (at most 8). */
export function defaultWorkers(): number {
  return Math.min(availableParallelism(), 8);
}

function spawnWorker(root: string): Worker {
  // From the TypeScript sources (tests, `npx ssot` before a build) the worker registers tsx first.
  const fromSource = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  return fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
           .then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`,
        { eval: true, workerData: { root } },
      )
    : new Worker(workerUrl, { workerData: { root } });
}

/**
 * Extract worker threads. Created before discovery, they load the parsers while the tree is
 * walked; `extractAll` then uses them, or closes them when the input turns out to be small.
 */
export class ExtractPool {
  private readonly workers: Worker[];

  constructor(
    readonly root: string,
    size: number = defaultWorkers(),
  ) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => spawnWorker(root));
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
  }

  /** Extracts `files` in batches (largest first) over the workers, which exit when done. */
  async run(files: SourceFile[], options: ExtractOptions): Promise<ExtractResult> {
    const order = [...files].sort((a, b) => b.size - a.size);
    const batches: SourceFile[][] = [];
    for (let i = 0; i < order.length; i += BATCH) batches.push(order.slice(i, i + BATCH));
    const results: ExtractResult[] = [];
    const decoder = new TextDecoder();
    let done = 0;
    let next = 0;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let ended = false;
            const feed = () => {
              if (ended) return;
              const batch = next < batches.length ? batches[next++] : null;
              if (!batch) ended = true;
              w.postMessage(batch ?? null);
            };
            w.on('message', (msg: Uint8Array) => {
              const r = JSON.parse(decoder.decode(msg)) as ExtractResult;
              options.onRecords?.(r.records);
              results.push(r);
              done += r.records.length + r.skipped.length;
              options.onProgress?.(done, files.length);
              feed();
            });
            w.on('error', reject);
            w.on('exit', () => resolve());
            feed();
            feed(); // one batch queued ahead, so that a worker never waits for the next
          }),
      ),
    );
    const merged: ExtractResult = { records: [], skipped: [] };
    for (const r of results) {
      merged.records.push(...r.records);
      merged.skipped.push(...r.skipped);
    }
    return sorted(merged);
  }
}

/** Runs the extract stage over all files, on worker threads when the input is large. */
export async function extractAll(
  root: string,
  files: SourceFile[],
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const workers = options.workers ?? (totalBytes < PARALLEL_MIN_BYTES ? 0 : defaultWorkers());
  if (workers <= 0 || files.length < BATCH * 2) {
    options.pool?.close();
    const result = extractFiles(root, files);
    options.onRecords?.(result.records);
    options.onProgress?.(files.length, files.length);
    return sorted(result);
  }
  return (options.pool ?? new ExtractPool(root, workers)).run(files, options);
}

function byFile(a: { file: string }, b: { file: string }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/** Records in file order, whichever thread extracted them. */
function sorted(result: ExtractResult): ExtractResult {
  result.records.sort(byFile);
  result.skipped.sort(byFile);
  return result;
}
