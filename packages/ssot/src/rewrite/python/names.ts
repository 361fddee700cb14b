import type Parser from 'tree-sitter';
import type { Span } from '../../extract/types.js';

export type Node = Parser.SyntaxNode;

/** Where an identifier occurs. */
export type Role = 'ref' | 'binding' | 'skip';

const PATTERN = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
  'expression_list',
]);

export function fieldIs(parent: Node, field: string, child: Node): boolean {
  const f = parent.childForFieldName(field);
  return f !== null && f.startIndex === child.startIndex && f.endIndex === child.endIndex;
}

function roleOf(id: Node): Role {
  const p = id.parent;
  if (!p) return 'ref';
  switch (p.type) {
    case 'attribute':
      return fieldIs(p, 'attribute', id) ? 'skip' : 'ref';
    case 'keyword_argument':
      return fieldIs(p, 'name', id) ? 'skip' : 'ref';
    case 'dotted_name':
    case 'aliased_import':
    case 'import_statement':
    case 'import_from_statement':
    case 'future_import_statement':
    case 'relative_import':
      return 'skip';
    case 'function_definition':
    case 'class_definition':
    case 'default_parameter':
    case 'typed_default_parameter':
    case 'named_expression':
      return fieldIs(p, 'name', id) ? 'binding' : 'ref';
    case 'parameters':
    case 'lambda_parameters':
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'as_pattern_target':
    case 'delete_statement':
    case 'type_alias_statement':
    case 'case_pattern':
    case 'keyword_pattern':
    case 'splat_pattern':
    case 'type_parameter':
      return 'binding';
    default:
      break;
  }
  // Assignment, for and comprehension targets, possibly inside tuple/list patterns.
  let child: Node = id;
  let q: Node | null = p;
  while (q && PATTERN.has(q.type)) {
    child = q;
    q = q.parent;
  }
  if (!q) return 'ref';
  if ((q.type === 'assignment' || q.type === 'augmented_assignment') && fieldIs(q, 'left', child)) {
    return 'binding';
  }
  if ((q.type === 'for_statement' || q.type === 'for_in_clause') && fieldIs(q, 'left', child)) {
    return 'binding';
  }
  if (q.type === 'as_pattern_target' || q.type === 'delete_statement') return 'binding';
  return 'ref';
}

export interface Occurrence {
  node: Node;
  role: Role;
}

/**
 * Identifier occurrences of a name, found by a text search and checked against the syntax tree
 * (so words in strings and comments are not identifiers), plus its mentions in string
 * annotations (`x: "Name"`).
 */
export class Names {
  private readonly cache = new Map<string, { ids: Occurrence[]; annotations: Span[] }>();

  constructor(
    private readonly root: () => Node,
    private readonly text: string,
  ) {}

  private find(name: string): { ids: Occurrence[]; annotations: Span[] } {
    const known = this.cache.get(name);
    if (known) return known;
    const found = { ids: [] as Occurrence[], annotations: [] as Span[] };
    const word = new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g');
    for (const m of this.text.matchAll(word)) {
      const at = m.index as number;
      const n = this.root().descendantForIndex(at, at + name.length);
      if (n.type === 'identifier' && n.startIndex === at && n.endIndex === at + name.length) {
        found.ids.push({ node: n, role: roleOf(n) });
      } else if (n.type === 'string_content' || n.type === 'string') {
        for (let p: Node | null = n; p; p = p.parent) {
          if (p.type === 'type') {
            found.annotations.push({ start: at, end: at + name.length });
            break;
          }
          if (p.type.endsWith('statement') || p.type === 'block') break;
        }
      }
    }
    this.cache.set(name, found);
    return found;
  }

  of(name: string): Occurrence[] {
    return this.find(name).ids;
  }

  annotations(name: string): Span[] {
    return this.find(name).annotations;
  }
}
