import { parentPort, workerData } from 'node:worker_threads';
import { type PlanOptions, planMigration } from './plan.js';
import { Project, type ProjectSnapshot } from './project.js';
import type { ActiveRule } from './rules.js';

/** Worker side of the parallel planner: plans its share of the files, answers with the plan. */
const { snapshot, rules, options } = workerData as {
  snapshot: ProjectSnapshot;
  rules: ActiveRule[];
  options: PlanOptions;
};
const plan = planMigration(new Project(snapshot), rules, options);
// The main thread has the original texts: send only the new ones.
parentPort?.postMessage({ ...plan, changes: plan.changes.map((c) => ({ ...c, before: '' })) });
