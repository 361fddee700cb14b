import type { Edge } from '../../graph/graph.js';
import type { RuleContext } from '../context.js';
import type { CycleFinding, Finding } from '../types.js';

/** Strongly connected components (Tarjan, iterative) of the graph restricted to `edges`. */
function components(
  nodes: string[],
  out: Map<string, Edge[]>,
  keep: (e: Edge) => boolean,
): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; edges: Edge[]; i: number }[] = [];
    const visit = (n: string) => {
      index.set(n, counter);
      low.set(n, counter++);
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, edges: (out.get(n) ?? []).filter(keep), i: 0 });
    };
    visit(start);
    while (work.length) {
      const frame = work[work.length - 1] as (typeof work)[number];
      const e = frame.edges[frame.i++];
      if (e) {
        if (!index.has(e.to)) visit(e.to);
        else if (onStack.has(e.to))
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(e.to) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low.set(
          parent.node,
          Math.min(low.get(parent.node) as number, low.get(frame.node) as number),
        );
      if (low.get(frame.node) === index.get(frame.node)) {
        const comp: string[] = [];
        let x: string;
        do {
          x = stack.pop() as string;
          onStack.delete(x);
          comp.push(x);
        } while (x !== frame.node);
        if (comp.length > 1) result.push(comp.sort());
      }
    }
  }
  return result;
}

/**
 * Cheapest path from `from` to `to` inside `members` as a list of edges (0-1 BFS: with `weighted`,
 * runtime edges cost 0 and others 1, so the path uses as few non-runtime imports as it can;
 * otherwise fewest edges). `to === from` finds a cycle through `from`. Null when there is none.
 */
function path(
  from: string,
  to: string,
  members: Set<string>,
  out: Map<string, Edge[]>,
  keep: (e: Edge) => boolean,
  weighted: boolean,
): Edge[] | null {
  const prev = new Map<string, Edge | null>([[from, null]]);
  const cost = new Map<string, number>([[from, 0]]);
  // 0-1 BFS by layers: a queue per cost, read with a moving head (no Array#shift).
  let layer: string[] = [from];
  let layerCost = 0;
  let closing: Edge | null = null;
  let closingCost = Number.POSITIVE_INFINITY;
  while (layer.length > 0 && layerCost < closingCost) {
    const next: string[] = [];
    for (let head = 0; head < layer.length; head++) {
      const n = layer[head] as string;
      const base = cost.get(n) as number;
      if (base !== layerCost) continue; // reached more cheaply since it was queued
      for (const e of out.get(n) ?? []) {
        if (!keep(e) || !members.has(e.to)) continue;
        const w = weighted ? (e.kind === 'runtime' ? 0 : 1) : 1;
        const c = base + w;
        if (e.to === to && to === from) {
          if (c < closingCost) {
            closing = e;
            closingCost = c;
          }
          continue;
        }
        const known = cost.get(e.to);
        if (known === undefined || c < known) {
          cost.set(e.to, c);
          prev.set(e.to, e);
          (w === 0 ? layer : next).push(e.to);
        }
      }
    }
    layer = next;
    layerCost++;
  }
  let e: Edge | null | undefined = to === from ? closing : prev.get(to);
  if (!e) return null;
  const edges: Edge[] = [];
  while (e) {
    edges.unshift(e);
    e = e.from === from ? null : prev.get(e.from);
  }
  return edges;
}

const MAX_CLOSING_EDGES = 3;

/** Rotates a cycle so that it starts at its alphabetically first module. */
function rotate(edges: Edge[]): Edge[] {
  let k = 0;
  edges.forEach((e, i) => {
    if (e.from < (edges[k] as Edge).from) k = i;
  });
  return [...edges.slice(k), ...edges.slice(0, k)];
}

/** Import cycles: runtime ones, and separately those closed only by type-only, TYPE_CHECKING, function-level or dynamic imports. */
export function cycle(ctx: RuleContext): Finding[] {
  const { graph } = ctx;
  const nodes = [...graph.modules.keys()].sort();
  const runtime = (e: Edge) => e.kind === 'runtime';
  const any = () => true;
  const findings: CycleFinding[] = [];
  const make = (edges: Edge[], componentSize: number): CycleFinding => {
    const kinds = new Set(edges.filter((e) => e.kind !== 'runtime').map((e) => e.kind));
    const kind: CycleFinding['kind'] =
      kinds.size === 0
        ? 'runtime'
        : kinds.size === 1
          ? ([...kinds][0] as CycleFinding['kind'])
          : 'mixed';
    const files = edges.map((e) => e.from);
    const modules = files.map((f) => graph.modules.get(f)?.name ?? f);
    return {
      rule: 'cycle',
      severity: kind === 'runtime' ? 'error' : 'note',
      message: `${kind === 'runtime' ? 'runtime' : `${kind}`} import cycle: ${[...modules, modules[0]].join(' → ')}`,
      score: kind === 'runtime' ? 1000 + componentSize : componentSize,
      kind,
      modules,
      files,
      edges: edges.map((e) => ({
        from: graph.modules.get(e.from)?.name ?? e.from,
        to: graph.modules.get(e.to)?.name ?? e.to,
        file: e.from,
        line: e.line,
        kind: e.kind,
      })),
      componentSize,
    };
  };
  const runtimeComponentOf = new Map<string, number>();
  components(nodes, graph.out, runtime).forEach((comp, ci) => {
    const members = new Set(comp);
    for (const n of comp) runtimeComponentOf.set(n, ci);
    const start = comp[0] as string;
    const edges = path(start, start, members, graph.out, runtime, false);
    if (edges) findings.push(make(rotate(edges), comp.length));
  });
  for (const comp of components(nodes, graph.out, any)) {
    const members = new Set(comp);
    // A non-runtime import closes a weaker cycle unless both ends already share a runtime cycle.
    const closing = comp
      .flatMap((n) => graph.out.get(n) ?? [])
      .filter((e) => {
        if (e.kind === 'runtime' || !members.has(e.to)) return false;
        const a = runtimeComponentOf.get(e.from);
        return a === undefined || a !== runtimeComponentOf.get(e.to);
      })
      .slice(0, MAX_CLOSING_EDGES);
    let best: Edge[] | null = null;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const e of closing) {
      const rest = path(e.to, e.from, members, graph.out, any, true);
      if (!rest) continue;
      const edges = [e, ...rest];
      const c = edges.filter((x) => x.kind !== 'runtime').length * 1000 + edges.length;
      if (c < bestCost) {
        bestCost = c;
        best = edges;
      }
    }
    if (best) findings.push(make(rotate(best), comp.length));
  }
  return findings;
}
