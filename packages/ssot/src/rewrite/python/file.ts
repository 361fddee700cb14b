import type Parser from 'tree-sitter';
import type { ImportRecord } from '../../extract/types.js';
import type { Edit } from '../../workspace/edits.js';
import { parsePython } from '../../workspace/parse.js';
import {
  isTarget,
  type Lookup,
  type RewriteInput,
  type RewriteOutput,
  type Target,
} from '../types.js';
import type { NameMove } from './from-import.js';
import { fieldIs, Names, type Node, type Occurrence } from './names.js';
import type { Rename } from './rename.js';
import type { PySpeller } from './speller.js';
import { statementNode } from './statements.js';

/** What one import statement of the file becomes. */
export interface StatementPlan {
  index: number;
  imp: ImportRecord;
  node: () => Node | null;
  moves: NameMove[];
  /** For import-module / export-all / dynamic: the new module text for the specifier. */
  newSpecifier: string | null;
  /** `import P.m` dotted uses: chain node → replacement. */
  chainEdits: Edit[];
}

/** A module object moved as a whole: its target and the attribute renames of its uses. */
export type ModuleObjectMove = { target: Target; edits: Edit[] } | string | null;

/**
 * One Python file being rewritten: its syntax tree (parsed on first need), the identifier
 * index, and what has been decided so far — statement plans, symbol renames, notes.
 */
export class PythonFile {
  readonly out: RewriteOutput = { edits: [], statements: 0, notes: [], skip: null };
  readonly plans: StatementPlan[] = [];
  readonly renames: Rename[] = [];
  /** Module objects whose attribute uses move by name rules: local → attr renames. */
  readonly attrRenames: Edit[] = [];
  /** The module rule's lookup of each import. */
  readonly lookups: Lookup[];
  /** Names in the file's `__all__`. */
  readonly allNames: Set<string>;
  readonly names: Names;
  private tree: Parser.Tree | null;

  constructor(
    readonly input: RewriteInput,
    readonly speller: PySpeller,
  ) {
    this.tree = (input.tree as Parser.Tree | undefined) ?? null;
    this.names = new Names(() => this.root(), input.text);
    this.lookups = input.record.imports.map((_imp, i) => input.lookup(i, null));
    this.allNames = new Set(input.record.exports.map((e) => e.exported));
  }

  get text(): string {
    return this.input.text;
  }

  root(): Node {
    this.tree ??= parsePython(this.input.text);
    return this.tree.rootNode;
  }

  occurrences(name: string): Occurrence[] {
    return this.names.of(name);
  }

  note(imp: ImportRecord, why: string): undefined {
    this.out.notes.push(`line ${imp.line}: ${why}`);
    return undefined;
  }

  newPlan(imp: ImportRecord, index: number): StatementPlan {
    return {
      index,
      imp,
      node: () => statementNode(this.root(), imp),
      moves: [],
      newSpecifier: null,
      chainEdits: [],
    };
  }

  isSelf(t: Target): boolean {
    return t.file === this.input.file;
  }

  /** Attribute uses `local.attr` of a module object, and how many uses are not `local.attr`. */
  attributeUses(local: string): { uses: Node[]; bare: number } {
    const uses: Node[] = [];
    let bare = 0;
    for (const o of this.occurrences(local)) {
      if (o.role !== 'ref') continue;
      const p = o.node.parent;
      if (p?.type === 'attribute' && fieldIs(p, 'object', o.node)) {
        uses.push(p.childForFieldName('attribute') as Node);
      } else bare++;
    }
    return { uses, bare };
  }

  /**
   * Where a module object used as `L.A` (attribute nodes `uses`) can go: the module rule's
   * target, or the one module every used name moves to by name rules. Each used name must be
   * defined by the target (renamed where a rule renames it). Returns the target with the
   * attribute renames, a reason to leave the statement, or null when nothing moves.
   */
  moveModuleObject(
    index: number,
    what: string,
    uses: Node[],
    bare: number,
    module: { module: string; file: string | null },
    moduleTarget: Target | null,
  ): ModuleObjectMove {
    let target = moduleTarget;
    const renamed: Edit[] = [];
    const finalNames: { name: string; at: Node }[] = [];
    let stays = 0;
    for (const a of uses) {
      const l = this.input.lookup(index, a.text, module);
      if (!isTarget(l)) {
        stays++;
        finalNames.push({ name: a.text, at: a });
        continue;
      }
      if (target && target.file !== l.file) {
        return `${what}.${a.text} moves to ${l.module}, not with the rest to ${target.module}`;
      }
      target = l;
      const name = l.name ?? a.text;
      if (name !== a.text) renamed.push({ start: a.startIndex, end: a.endIndex, text: name });
      finalNames.push({ name, at: a });
    }
    if (!target) return null;
    if (!moduleTarget && (stays > 0 || bare > 0)) {
      return `${what} is also used for names that stay in ${module.module} (or as a module object); move it by a module rule`;
    }
    for (const f of finalNames) {
      if (!this.input.defines(target.file, f.name)) {
        return `${target.module} does not define ${f.name} (used as ${what}.${f.at.text} at line ${f.at.startPosition.row + 1})`;
      }
    }
    return { target, edits: renamed };
  }
}
