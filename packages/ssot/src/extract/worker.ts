import { parentPort, workerData } from 'node:worker_threads';
import type { SourceFile } from '../discover/discover.js';
import { extractFiles } from './extract.js';

/** Worker side of the extract pool: receives batches of files, answers with their records. */
const { root } = workerData as { root: string };
const encoder = new TextEncoder();
parentPort?.on('message', (batch: SourceFile[] | null) => {
  if (batch === null) {
    parentPort?.close();
    return;
  }
  // UTF-8 bytes in a transferred buffer: moved to the main thread, not copied.
  const bytes = encoder.encode(JSON.stringify(extractFiles(root, batch)));
  parentPort?.postMessage(bytes, [bytes.buffer]);
});
