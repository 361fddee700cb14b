import type { AuditReport } from '../audit.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export type Format = 'text' | 'json' | 'sarif' | 'markdown';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'markdown'];

const RENDERERS: Record<Format, (r: AuditReport) => string> = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
};

export function render(report: AuditReport, format: Format): string {
  return RENDERERS[format](report);
}
