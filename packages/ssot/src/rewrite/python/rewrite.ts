import type { ImportRecord } from '../../extract/types.js';
import type { Project } from '../../workspace/project.js';
import type { RewriteInput, RewriteOutput } from '../types.js';
import { PythonFile } from './file.js';
import { emitFromImport } from './from-import.js';
import { renameProblem } from './rename.js';
import { pythonSpeller } from './speller.js';
import { rewriteStrings } from './strings.js';
import { planImport } from './visit.js';

/**
 * Rewrites one Python file's imports: `from M import X [as Y]`, `from P import m`, `import P.m`
 * with its dotted uses, `import P.m as x`, `from M import *`, `importlib.import_module("M")` —
 * at any depth (TYPE_CHECKING, functions, try/except) and relative level. Symbol renames
 * rewrite the references to the binding; shadowing makes the file be left alone.
 */
export function rewritePython(input: RewriteInput, project: Project): RewriteOutput {
  const speller = pythonSpeller(project, input.file);
  const f = new PythonFile(input, speller);
  const { out } = f;

  // 1. Decide what each import does.
  for (let index = 0; index < input.record.imports.length; index++) {
    planImport(f, input.record.imports[index] as ImportRecord, index);
  }
  if (out.skip) return { ...out, edits: [], statements: 0 };

  // 2. Renames: refuse where shadowing makes them unsafe.
  const occurrences = (name: string) => f.occurrences(name);
  for (const rn of f.renames) {
    const problem = renameProblem(rn, input.record.imports, occurrences, input, input.text);
    if (problem) return { edits: [], statements: 0, notes: out.notes, skip: problem };
  }

  // 3. Emit edits.
  const edits = out.edits;
  for (const plan of f.plans) {
    const { imp } = plan;
    out.statements++;
    if (plan.newSpecifier !== null) {
      edits.push({
        start: imp.specifierSpan.start,
        end: imp.specifierSpan.end,
        text: plan.newSpecifier,
      });
      edits.push(...plan.chainEdits);
      continue;
    }
    emitFromImport(plan.imp, plan.node, plan.moves, input, speller, f.plans, edits, out);
  }
  edits.push(...f.attrRenames);
  rewriteStrings(input, out);
  for (const rn of f.renames) {
    for (const o of f.occurrences(rn.from)) {
      if (o.role === 'ref')
        edits.push({ start: o.node.startIndex, end: o.node.endIndex, text: rn.to });
    }
    for (const a of f.names.annotations(rn.from)) edits.push({ ...a, text: rn.to });
  }
  return { ...out, skip: null };
}
