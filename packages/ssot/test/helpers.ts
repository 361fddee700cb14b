import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SsotConfig } from '../src/config/config.js';
import type { FileRecord } from '../src/extract/types.js';
import { type AuditResult, audit } from '../src/pipeline/audit.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const REPO_ROOT = join(PACKAGE_ROOT, '..', '..');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Runs the whole audit on one fixture mini-repo, on the calling thread. */
export function auditFixture(name: string, config?: SsotConfig): Promise<AuditResult> {
  return audit({ root: fixture(name), workers: 0, ...(config ? { config } : {}) });
}

export function recordOf(result: AuditResult, file: string): FileRecord {
  const r = result.records.find((x) => x.file === file);
  if (!r) throw new Error(`no record for ${file}`);
  return r;
}

export function read(name: string, file: string): string {
  return readFileSync(join(fixture(name), file), 'utf8');
}
