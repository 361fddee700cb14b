import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { RULE_IDS } from '../config/config.js';
import type { AuditReport } from '../pipeline/audit.js';
import { placesOf, RULE_DESCRIPTIONS } from './locations.js';

function location(file: string, line: number, message?: string) {
  return {
    physicalLocation: {
      artifactLocation: { uri: file, uriBaseId: '%SRCROOT%' },
      region: { startLine: Math.max(1, line) },
    },
    ...(message ? { message: { text: message } } : {}),
  };
}

/** `--format sarif`: SARIF 2.1.0, one result per finding, justified findings as suppressed. */
export function renderSarif(report: AuditReport): string {
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ssot',
            version: report.tool.version,
            informationUri: 'https://github.com/agentwire/agentwire/tree/main/packages/ssot',
            rules: RULE_IDS.map((id) => ({
              id,
              name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: RULE_DESCRIPTIONS[id] },
              fullDescription: { text: RULE_DESCRIPTIONS[id] },
              defaultConfiguration: {
                level: id === 'duplicate-definition' || id === 'cycle' ? 'error' : 'warning',
              },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(report.root).href}/` } },
        results: report.findings.map((f) => {
          const { primary, related } = placesOf(f);
          return {
            ruleId: f.rule,
            ruleIndex: RULE_IDS.indexOf(f.rule),
            level: f.severity,
            message: { text: f.message },
            locations: [location(primary.file, primary.line)],
            relatedLocations: related.map((r, i) => ({
              id: i + 1,
              ...location(r.file, r.line, r.note),
            })),
            partialFingerprints: {
              'ssotFinding/v1': createHash('sha256')
                .update(`${f.rule}\0${f.message}`)
                .digest('hex')
                .slice(0, 32),
            },
            ...(f.justified !== undefined
              ? { suppressions: [{ kind: 'external', justification: f.justified }] }
              : {}),
          };
        }),
        invocations: [{ executionSuccessful: true }],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
