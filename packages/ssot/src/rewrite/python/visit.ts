import type { ImportedName, ImportRecord } from '../../extract/types.js';
import type { Edit } from '../../workspace/edits.js';
import { isTarget, type Lookup, type Target } from '../types.js';
import type { PythonFile } from './file.js';
import { fieldIs, type Node } from './names.js';
import { item } from './statements.js';

/** Decides what one import statement becomes (a plan, a note, or nothing). */
export function planImport(f: PythonFile, imp: ImportRecord, index: number): void {
  if (imp.kind === 'dynamic' || imp.kind === 'export-all') planSpecifier(f, imp, index);
  else if (imp.kind === 'import-module') planImportModule(f, imp, index);
  else planFromImport(f, imp, index);
}

/** `importlib.import_module("M")` and `from M import *`: only the module text can change. */
function planSpecifier(f: PythonFile, imp: ImportRecord, index: number): undefined {
  const l = f.lookups[index] ?? null;
  if (isTarget(l)) {
    if (f.isSelf(l)) return f.note(imp, `would import the file itself (${l.module})`);
    const plan = f.newPlan(imp, index);
    plan.newSpecifier =
      imp.kind === 'dynamic' ? l.module : f.speller.fromModule(imp, l.module, l.file);
    f.plans.push(plan);
  } else if (l) f.note(imp, `target module ${l.missing} does not exist`);
  else if (f.input.matches(index)) {
    f.note(
      imp,
      `${imp.kind === 'dynamic' ? 'dynamic import' : 'star import'}: the names used are unknown`,
    );
  }
  return undefined;
}

/** `import P.m` (with its dotted uses) and `import P.m as x`. */
function planImportModule(f: PythonFile, imp: ImportRecord, index: number): undefined {
  const r = f.input.resolved(index);
  const l = f.lookups[index] ?? null;
  const alias = imp.names[0]?.local ?? null;
  const dotted = imp.specifier;
  let target: Target | null = isTarget(l) ? l : null;
  const localEdits: Edit[] = [];
  if (l && !target)
    return f.note(imp, `target module ${(l as { missing: string }).missing} does not exist`);
  const module = { module: r.module, file: r.file };
  if (alias) {
    const { uses, bare } = f.attributeUses(alias);
    const m = f.moveModuleObject(index, alias, uses, bare, module, target);
    if (typeof m === 'string') return f.note(imp, m);
    if (!m) return;
    target = m.target;
    localEdits.push(...m.edits);
  } else {
    // `import P.m` binds P; uses spell the whole path.
    const record = f.input.record;
    const segs = dotted.split('.');
    const head = segs[0] as string;
    if (
      record.imports.some(
        (o) => o !== imp && o.kind === 'import-module' && o.specifier.startsWith(`${dotted}.`),
      )
    ) {
      return f.note(imp, `${dotted} and a submodule of it are both imported; left as is`);
    }
    const { chains, others } = dottedUses(f, head, segs);
    const attrs = chains.map((c) => c.next).filter((x): x is Node => x !== null);
    const m = f.moveModuleObject(
      index,
      dotted,
      attrs,
      chains.length - attrs.length,
      module,
      target,
    );
    if (typeof m === 'string') return f.note(imp, m);
    if (!m) return;
    target = m.target;
    localEdits.push(...m.edits);
    const newHead = target.module.split('.')[0];
    if (others > 0 && newHead !== head) {
      const stillBound = record.imports.some(
        (o) => o !== imp && o.kind === 'import-module' && o.binds === head && !o.functionLevel,
      );
      if (!stillBound) {
        return f.note(
          imp,
          `${head} is also used for other modules; rewriting ${dotted} would unbind it`,
        );
      }
    }
    for (const c of chains) {
      localEdits.push({ start: c.node.startIndex, end: c.node.endIndex, text: target.module });
    }
  }
  if (f.isSelf(target)) return f.note(imp, `would import the file itself (${target.module})`);
  const plan = f.newPlan(imp, index);
  plan.newSpecifier = target.module;
  plan.chainEdits = localEdits;
  f.plans.push(plan);
  return undefined;
}

/**
 * Uses of `head` that spell the whole dotted path `segs` (`P.m`, with the attribute after it
 * when there is one), and how many uses of `head` are something else.
 */
function dottedUses(
  f: PythonFile,
  head: string,
  segs: string[],
): { chains: { node: Node; next: Node | null }[]; others: number } {
  const chains: { node: Node; next: Node | null }[] = [];
  let others = 0;
  for (const o of f.occurrences(head)) {
    if (o.role !== 'ref') continue;
    let cur: Node = o.node;
    let k = 1;
    let ok = true;
    while (k < segs.length) {
      const p = cur.parent;
      if (p?.type !== 'attribute' || !fieldIs(p, 'object', cur)) {
        ok = false;
        break;
      }
      if (p.childForFieldName('attribute')?.text !== segs[k]) {
        ok = false;
        break;
      }
      cur = p;
      k++;
    }
    if (!ok) {
      others++;
      continue;
    }
    const p = cur.parent;
    const next =
      p?.type === 'attribute' && fieldIs(p, 'object', cur)
        ? p.childForFieldName('attribute')
        : null;
    chains.push({ node: cur, next });
  }
  return { chains, others };
}

/** `from M import a, b as c`: each name moves on its own. */
function planFromImport(f: PythonFile, imp: ImportRecord, index: number): void {
  const plan = f.newPlan(imp, index);
  imp.names.forEach((n, k) => {
    planName(f, plan, imp, index, n, k);
  });
  if (plan.moves.length) f.plans.push(plan);
}

function planName(
  f: PythonFile,
  plan: ReturnType<PythonFile['newPlan']>,
  imp: ImportRecord,
  index: number,
  n: ImportedName,
  k: number,
): undefined {
  const r = f.input.resolved(index);
  const sub = r.submodules?.[k] ?? null;
  if (sub) return planSubmodule(f, plan, imp, index, n, k, sub);
  const l = f.input.lookup(index, n.imported);
  if (!l) return;
  if (!isTarget(l)) return f.note(imp, `target module ${l.missing} does not exist`);
  if (f.isSelf(l)) return f.note(imp, `would import the file itself (${l.module})`);
  const newName = l.name ?? n.imported;
  if (!f.input.defines(l.file, newName)) {
    return f.note(imp, `${l.module} does not define ${newName}; ${n.imported} left as is`);
  }
  if (l.factory) return planFactory(f, plan, imp, n, k, l, newName, l.factory);
  let text: string;
  if (n.localSpan) text = item(newName, n.local);
  else if (newName === n.imported) text = newName;
  else if (f.allNames.has(n.imported))
    text = item(newName, n.local); // public name: keep it
  else {
    text = newName;
    const existing = f.renames.find((x) => x.from === n.local);
    if (existing && existing.to !== newName) {
      f.out.skip = `${n.local} would be renamed to both ${existing.to} and ${newName}`;
      return;
    }
    if (existing) existing.statements.add(imp.span.start);
    else
      f.renames.push({
        from: n.local,
        to: newName,
        statements: new Set([imp.span.start]),
        target: l,
      });
  }
  plan.moves.push({
    index: k,
    name: n,
    fromModule: l.module,
    fromFile: l.file,
    text,
    plainImport: null,
  });
  return undefined;
}

/** `from P import m` where m is a module object. */
function planSubmodule(
  f: PythonFile,
  plan: ReturnType<PythonFile['newPlan']>,
  imp: ImportRecord,
  index: number,
  n: ImportedName,
  k: number,
  sub: string,
): undefined {
  const r = f.input.resolved(index);
  const module = { module: `${r.module}.${n.imported}`, file: sub };
  const ml: Lookup = f.input.lookup(index, null, module);
  if (ml && !isTarget(ml)) return f.note(imp, `target module ${ml.missing} does not exist`);
  const { uses, bare } = f.attributeUses(n.local);
  const m = f.moveModuleObject(index, n.local, uses, bare, module, ml);
  if (typeof m === 'string') return f.note(imp, m);
  if (!m) return;
  const l = m.target;
  if (f.isSelf(l)) return f.note(imp, `would import the file itself (${l.module})`);
  f.attrRenames.push(...m.edits);
  const dot = l.module.lastIndexOf('.');
  if (dot === -1) {
    plan.moves.push({
      index: k,
      name: n,
      fromModule: '',
      fromFile: null,
      text: '',
      plainImport: item(l.module, n.local),
    });
  } else {
    plan.moves.push({
      index: k,
      name: n,
      fromModule: l.module.slice(0, dot),
      fromFile: null,
      text: item(l.module.slice(dot + 1), n.local),
      plainImport: null,
    });
  }
  return undefined;
}

/**
 * A call-site rule: calls of the moved class bound by this import (`WebSocketManager(…)`) become
 * calls of the target's factory (`get_websocket_manager(…)`); every other use — isinstance,
 * annotations, subclassing, attribute access — keeps the class, imported from the target too.
 */
function planFactory(
  f: PythonFile,
  plan: ReturnType<PythonFile['newPlan']>,
  imp: ImportRecord,
  n: ImportedName,
  k: number,
  l: Target,
  newName: string,
  factory: string,
): undefined {
  if (n.localSpan)
    return f.note(
      imp,
      `${n.imported} is imported as ${n.local}; call-site rule not applied — review`,
    );
  const uses = f.occurrences(n.local);
  const bound = uses.find((o) => o.role === 'binding');
  if (bound) {
    return f.note(
      imp,
      `${n.local} is also bound at line ${bound.node.startPosition.row + 1}; call-site rule not applied`,
    );
  }
  const imported = f.input.record.imports.some(
    (o) => o !== imp && (o.binds === factory || o.names.some((x) => x.local === factory)),
  );
  const clash = f.occurrences(factory).find((o) => o.role !== 'skip');
  if (imported || clash) {
    return f.note(
      imp,
      `${factory} already names something in this file${clash ? ` (line ${clash.node.startPosition.row + 1})` : ''}; call-site rule not applied`,
    );
  }
  let others = f.names.annotations(n.local).length;
  for (const o of uses) {
    if (o.role !== 'ref') continue;
    const p = o.node.parent;
    const call = p?.type === 'call' && fieldIs(p, 'function', o.node);
    if (!call) others++;
    const text = call ? factory : newName;
    if (text !== o.node.text)
      f.attrRenames.push({ start: o.node.startIndex, end: o.node.endIndex, text });
  }
  if (newName !== n.local) {
    for (const a of f.names.annotations(n.local)) f.attrRenames.push({ ...a, text: newName });
  }
  plan.moves.push({
    index: k,
    name: n,
    fromModule: l.module,
    fromFile: l.file,
    text: others > 0 ? `${newName}, ${factory}` : factory,
    plainImport: null,
  });
  return undefined;
}
