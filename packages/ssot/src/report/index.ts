import { UserError } from '../errors.js';
import type { AuditReport } from '../pipeline/audit.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { selectFindings, type ViewOptions } from './select.js';
import { renderText } from './text.js';

export type Format = 'text' | 'json' | 'sarif' | 'markdown';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'markdown'];

/** A `--format` value, or a UserError naming the formats there are. */
export function parseFormat(value: unknown): Format {
  if (!FORMATS.includes(value as Format)) {
    throw new UserError(
      `unknown format "${String(value)}" (expected one of: ${FORMATS.join(', ')})`,
    );
  }
  return value as Format;
}

const RENDERERS: Record<Format, (r: AuditReport) => string> = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
};

/**
 * The report in a format. Text shows production findings in detail and counts the rest; the
 * other formats list every finding unless `view` narrows them (--scope, --min-severity,
 * --max-findings).
 */
export function render(report: AuditReport, format: Format, view: ViewOptions = {}): string {
  if (format === 'text') return renderText(report, view);
  const narrowed = view.scopes || view.minSeverity || view.maxFindings !== undefined;
  const shown = narrowed
    ? {
        ...report,
        findings: selectFindings(report, {
          scopes: view.scopes ?? ['production', 'test', 'fixture', 'script'],
          ...view,
        }).shown,
      }
    : report;
  return RENDERERS[format](shown);
}
