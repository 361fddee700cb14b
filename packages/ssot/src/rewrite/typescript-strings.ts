import { lineOf } from '../workspace/edits.js';
import { probeImport } from '../workspace/project.js';
import { isTarget, type RewriteInput, type RewriteOutput } from './types.js';
import type { TsSpeller } from './typescript-speller.js';

/** Module specifiers in calls that are not imports: mocks and resolutions. */
const MODULE_STRING =
  /\b(jest|vi)\.(mock|doMock|unmock|requireActual|importActual)\s*\(\s*(['"`])([^'"`\n]+)\3|\b(require\.resolve|import\.meta\.resolve)\s*\(\s*(['"`])([^'"`\n]+)\6/g;

/**
 * `jest.mock('old')`, `vi.mock('old')` (and `doMock`, `unmock`, `requireActual`, `importActual`),
 * `require.resolve('old')`, `import.meta.resolve('old')`: a mock intercepts the module its string
 * names, so once the importers import the new module, a mock of the old one intercepts nothing.
 * The string moves with the imports (spelled the way the file spells the new module); a module
 * only some names of which move is listed for review — which names the mock stands for is unknown.
 */
export function rewriteModuleStrings(
  input: RewriteInput,
  speller: TsSpeller,
  out: RewriteOutput,
): void {
  if (!input.lookupModule) return;
  for (const m of input.text.matchAll(MODULE_STRING)) {
    const spec = (m[4] ?? m[7]) as string;
    const call = m[1] ? `${m[1]}.${m[2]}` : (m[5] as string);
    const start = (m.index as number) + m[0].length - spec.length - 1;
    const l = input.lookupModule(spec, null);
    const where = `line ${lineOf(input.text, start)}`;
    if (l === null) {
      if (input.concerns?.(spec)) {
        out.notes.push(
          `${where}: ${call}('${spec}'): only some names of the module move, which ones the ${call.endsWith('resolve') ? 'resolution' : 'mock'} stands for is unknown; review — left as is`,
        );
      }
      continue;
    }
    if (!isTarget(l)) {
      out.notes.push(`${where}: ${call}('${spec}'): target module ${l.missing} does not exist`);
      continue;
    }
    const next = speller.specifier(probeImport(spec), l);
    if (next === null) {
      out.notes.push(
        `${where}: ${call}('${spec}'): no specifier from ${input.file} reaches ${l.file}`,
      );
      continue;
    }
    if (next !== spec) {
      out.edits.push({ start, end: start + spec.length, text: next });
      out.statements++;
    }
  }
}
