import { lineOf } from '../../workspace/edits.js';
import { isTarget, type RewriteInput, type RewriteOutput } from '../types.js';

/**
 * `patch("a.b.C")`, `mock.patch(…)`, `patch.dict("a.b.REGISTRY", …)`, `patch.multiple("a.b", …)`,
 * `monkeypatch.setattr("a.b.C", …)` / `delattr("a.b.C")`: the string names a module and an
 * attribute path to patch.
 */
const PATCH_CALL =
  /(?<![\w.])(?:(?:[\w.]*\.)?patch(?:\.dict|\.multiple)?|monkeypatch\.(?:setattr|delattr))\s*\(\s*(?:target\s*=\s*)?[rRuU]?(['"])([A-Za-z_][\w.]*)\1/g;

/** Any string literal holding a dotted path. */
const DOTTED_STRING = /(['"])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\1/g;

/**
 * Rewrites module paths in the patch targets of a Python file, under the same rules as its
 * imports, so that a patch still reaches the code it reached before.
 *
 * "Patch where it is looked up": `patch("old.mod.X")` replaces the attribute X of the module
 * object old.mod, so it reaches code that looks X up through that module at call time (`import
 * old.mod as m; m.X()`). After the migration those lookups go through the new module, so the
 * target moves with them: `patch("new.mod.X")` (with X's new name when a rule renames it). When
 * the old module still exists and uses X itself, the old target reached that code too and the new
 * one does not: that target is listed for review, not rewritten. Other strings that hold a
 * deprecated dotted path are reported and left as they are.
 */
export function rewriteStrings(input: RewriteInput, out: RewriteOutput): void {
  const { text } = input;
  const lookupModule = input.lookupModule;
  if (!lookupModule) return;
  const taken = new Set<number>();
  const note = (offset: number, why: string) => {
    out.notes.push(`line ${lineOf(text, offset)}: ${why}`);
  };
  for (const m of text.matchAll(PATCH_CALL)) {
    const dotted = m[2] as string;
    const start = (m.index as number) + m[0].length - dotted.length - 1;
    taken.add(start);
    if (inComment(text, start)) continue;
    const multiple = /\.multiple\s*\($/.test(m[0].slice(0, m[0].indexOf('(') + 1));
    const segs = dotted.split('.');
    // The longest module prefix a rule concerns; the rest is the attribute path.
    for (let k = multiple ? segs.length : segs.length - 1; k >= 1; k--) {
      const module = segs.slice(0, k).join('.');
      const attr = segs[k] ?? null;
      const rest = segs.slice(k + 1);
      const l = lookupModule(module, attr);
      if (l === null) continue;
      if (!isTarget(l)) {
        note(
          start,
          `patch target "${dotted}": target module ${l.missing} does not exist; left as is`,
        );
        break;
      }
      if (multiple) {
        note(
          start,
          `patch.multiple("${dotted}", …): the attributes patched are keywords; review — left as is`,
        );
        break;
      }
      const name = l.name ?? attr;
      const user = attr && input.usesName ? input.usesName(module, attr) : null;
      if (user) {
        note(
          start,
          `patch target "${dotted}": ${user.file}:${user.line} (the old module) uses ${attr} itself, which the old target reached and "${l.module}.${name}" would not; review — left as is`,
        );
        break;
      }
      const next = [l.module, name, ...rest].join('.');
      if (next !== dotted) {
        out.edits.push({ start, end: start + dotted.length, text: next });
        out.statements++;
      }
      break;
    }
  }
  for (const m of text.matchAll(DOTTED_STRING)) {
    const dotted = m[2] as string;
    const start = (m.index as number) + 1;
    if (taken.has(start) || inComment(text, start) || isImportModuleArg(text, m.index as number))
      continue;
    const segs = dotted.split('.');
    for (let k = segs.length; k >= 1; k--) {
      const module = segs.slice(0, k).join('.');
      if (lookupModule(module, null) === null && !input.concerns?.(module)) continue;
      note(start, `string mention of ${module} ("${dotted}"), left as is`);
      break;
    }
  }
}

function inComment(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return text.slice(lineStart, offset).includes('#');
}

/** `import_module("m")` / `__import__("m")`: already an import the rewriter handles. */
function isImportModuleArg(text: string, quote: number): boolean {
  return /(?:import_module|__import__)\s*\(\s*$/.test(text.slice(Math.max(0, quote - 40), quote));
}
