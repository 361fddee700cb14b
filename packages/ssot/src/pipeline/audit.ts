import { resolve as resolvePath } from 'node:path';
import { analyze } from '../analyze/analyze.js';
import type { Finding } from '../analyze/types.js';
import { loadConfig, RULE_IDS, type RuleId, type SsotConfig } from '../config/config.js';
import { discover, type SkippedFile } from '../discover/discover.js';
import { ExtractPool, extractAll } from '../extract/pool.js';
import type { FileRecord, ParseError } from '../extract/types.js';
import { buildGraph, type ProjectGraph } from '../graph/graph.js';
import { createResolvers, createTypeScriptResolver, resolveInto } from '../resolve/resolve.js';
import type { Resolution } from '../resolve/types.js';
import { VERSION } from '../version.js';

export { VERSION };

export interface AuditOptions {
  /** Directory to audit. */
  root: string;
  /** Config file; default `<root>/ssot.config.json` when present. */
  configPath?: string;
  /** A config object instead of a file. */
  config?: SsotConfig;
  /** Rules to run; default all. */
  rules?: readonly RuleId[];
  /** Extract worker threads (0: none); default by input size. */
  workers?: number;
  /** Progress of the extract stage. */
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface AuditStats {
  files: number;
  pythonFiles: number;
  typescriptFiles: number;
  imports: number;
  parseErrors: number;
  skipped: number;
  ms: number;
  /** Milliseconds per stage (TS/JS resolution runs during extract and counts there). */
  stages: Record<'discover' | 'extract' | 'resolve' | 'graph' | 'analyze', number>;
}

/** The audit's result; `--format json` prints exactly this (schema/audit-report.schema.json). */
export interface AuditReport {
  tool: { name: 'ssot'; version: string };
  root: string;
  config: string | null;
  stats: AuditStats;
  parseErrors: (ParseError & { file: string })[];
  skipped: SkippedFile[];
  summary: Record<RuleId, { findings: number; justified: number }>;
  findings: Finding[];
}

export interface AuditResult {
  report: AuditReport;
  graph: ProjectGraph;
  records: FileRecord[];
}

/** discover → extract → resolve → graph → analyze. */
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const t0 = performance.now();
  const root = resolvePath(options.root);
  const loaded = options.config
    ? { config: options.config, path: null }
    : loadConfig(root, options.configPath);
  const config = loaded.config;
  const lap = (() => {
    let last = t0;
    return () => {
      const now = performance.now();
      const ms = Math.round(now - last);
      last = now;
      return ms;
    };
  })();

  // Workers load the parsers while discovery walks the tree (closed unused for small trees).
  const pool = options.workers === 0 ? undefined : new ExtractPool(root, options.workers);
  let discovery: ReturnType<typeof discover>;
  try {
    discovery = discover(root, { ignore: config.ignore, maxFileBytes: config.maxFileBytes });
  } catch (e) {
    pool?.close();
    throw e;
  }
  const tDiscover = lap();
  // TS/JS imports are resolved as their records arrive, while the extract stage goes on.
  const typescript = createTypeScriptResolver(discovery);
  const resolution: Resolution = new Map();
  const extracted = await extractAll(root, discovery.files, {
    workers: options.workers,
    pool,
    onProgress: (done, total) => options.onProgress?.('extract', done, total),
    onRecords: (records) =>
      resolveInto(
        records.filter((r) => r.language === 'ts' && !r.parseError),
        typescript,
        resolution,
      ),
  });
  const tExtract = lap();
  const parsed = extracted.records.filter((r) => !r.parseError);
  const resolvers = createResolvers(discovery, parsed, typescript);
  resolveInto(
    parsed.filter((r) => r.language === 'py'),
    resolvers.python,
    resolution,
  );
  const tResolve = lap();
  const graph = buildGraph(parsed, resolution, resolvers);
  const tGraph = lap();
  const rules = options.rules ?? RULE_IDS;
  const findings = analyze(graph, config, rules);
  const tAnalyze = lap();

  const parseErrors = extracted.records
    .filter((r) => r.parseError)
    .map((r) => ({ file: r.file, ...(r.parseError as ParseError) }));
  const skipped = [...discovery.skipped, ...extracted.skipped].sort((a, b) =>
    a.file.localeCompare(b.file),
  );
  const summary = Object.fromEntries(
    RULE_IDS.map((id) => [
      id,
      {
        findings: findings.filter((f) => f.rule === id).length,
        justified: findings.filter((f) => f.rule === id && f.justified !== undefined).length,
      },
    ]),
  ) as AuditReport['summary'];
  const report: AuditReport = {
    tool: { name: 'ssot', version: VERSION },
    root,
    config: loaded.path,
    stats: {
      files: extracted.records.length,
      pythonFiles: extracted.records.filter((r) => r.language === 'py').length,
      typescriptFiles: extracted.records.filter((r) => r.language === 'ts').length,
      imports: parsed.reduce((n, r) => n + r.imports.length, 0),
      parseErrors: parseErrors.length,
      skipped: skipped.length,
      ms: Math.round(performance.now() - t0),
      stages: {
        discover: tDiscover,
        extract: tExtract,
        resolve: tResolve,
        graph: tGraph,
        analyze: tAnalyze,
      },
    },
    parseErrors,
    skipped,
    summary,
    findings,
  };
  return { report, graph, records: extracted.records };
}

/** Unjustified findings matched by a `--fail-on` list (`cycle:runtime`: runtime cycles only). */
export function failures(report: AuditReport, failOn: string[]): number {
  return report.findings.filter(
    (f) =>
      f.justified === undefined &&
      failOn.some((r) =>
        r === 'cycle:runtime' ? f.rule === 'cycle' && f.kind === 'runtime' : r === f.rule,
      ),
  ).length;
}
