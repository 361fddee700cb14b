import { parentPort } from 'node:worker_threads';
import { type FileWrite, type WriteMethod, writeAll } from '../workspace/journal.js';
import { Project } from '../workspace/project.js';
import { planMigration } from './plan.js';
import { batchSource, type PlanJob } from './pool.js';

/**
 * Worker side of the planner pool: started early, it waits for the job, takes batches from the
 * shared counter until none is left, and answers with its part of the plan. With `--write` it
 * then writes a share of the files.
 */
parentPort?.once('message', (job: PlanJob) => {
  const plan = planMigration(
    new Project(job.snapshot),
    job.rules,
    job.options,
    batchSource(job.files, job.counter, false),
  );
  // The main thread has the original texts: send only the new ones.
  parentPort?.postMessage({ ...plan, changes: plan.changes.map((c) => ({ ...c, before: '' })) });
  parentPort?.once('message', (job: { files: FileWrite[]; method: WriteMethod }) => {
    let error: string | null = null;
    try {
      writeAll(job.files, job.method);
    } catch (e) {
      error = (e as Error).message;
    }
    parentPort?.postMessage({ written: true, error });
  });
});
