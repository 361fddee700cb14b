import { parentPort, workerData } from 'node:worker_threads';
import type { SourceFile } from '../discover/discover.js';
import { extractFiles } from './extract.js';

/** Worker side of the extract pool: receives batches of files, answers with their records. */
const { root } = workerData as { root: string };
parentPort?.on('message', (batch: SourceFile[] | null) => {
  if (batch === null) {
    parentPort?.close();
    return;
  }
  parentPort?.postMessage(JSON.stringify(extractFiles(root, batch)));
});
