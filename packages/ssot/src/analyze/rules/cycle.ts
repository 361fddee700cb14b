import { feedbackArcSet, type WeightedEdge } from '../../graph/feedback.js';
import type { Edge, ProjectGraph } from '../../graph/graph.js';
import type { RuleContext } from '../context.js';
import { scopeOfFiles } from '../scope.js';
import type { CycleEdge, CycleFinding, Finding } from '../types.js';

/** The module graph on integer indices (compressed adjacency), for the graph walks below. */
interface Indexed {
  /** Module file per index, sorted. */
  files: string[];
  /** Edges of node i are slots start[i] … start[i + 1] - 1. */
  start: Int32Array;
  to: Int32Array;
  /** The node each slot belongs to. */
  owner: Int32Array;
  edge: Edge[];
}

function indexGraph(graph: ProjectGraph): Indexed {
  const files = [...graph.modules.keys()].sort();
  const index = new Map(files.map((f, i) => [f, i]));
  const start = new Int32Array(files.length + 1);
  const edges: Edge[] = [];
  const to: number[] = [];
  const owner: number[] = [];
  files.forEach((f, i) => {
    start[i] = edges.length;
    for (const e of graph.out.get(f) ?? []) {
      const t = index.get(e.to);
      if (t === undefined) continue;
      edges.push(e);
      to.push(t);
      owner.push(i);
    }
  });
  start[files.length] = edges.length;
  return { files, start, to: Int32Array.from(to), owner: Int32Array.from(owner), edge: edges };
}

/**
 * Strongly connected components with more than one module (Tarjan, iterative) of the graph
 * restricted to the edges `keep` accepts; `componentOf[i]` gets each node's component or -1.
 */
function components(g: Indexed, keep: (e: Edge) => boolean, componentOf: Int32Array): number[][] {
  const n = g.files.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const result: number[][] = [];
  const frames: number[] = []; // node
  const cursor = new Int32Array(n); // next edge slot per node on the DFS path
  componentOf.fill(-1);
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const visit = (v: number) => {
      index[v] = low[v] = counter++;
      stack.push(v);
      onStack[v] = 1;
      cursor[v] = g.start[v] as number;
      frames.push(v);
    };
    visit(root);
    while (frames.length) {
      const v = frames[frames.length - 1] as number;
      const slot = cursor[v] as number;
      if (slot < (g.start[v + 1] as number)) {
        cursor[v] = slot + 1;
        if (!keep(g.edge[slot] as Edge)) continue;
        const w = g.to[slot] as number;
        if (index[w] === -1) visit(w);
        else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent] as number, low[v] as number);
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let x: number;
        do {
          x = stack.pop() as number;
          onStack[x] = 0;
          comp.push(x);
        } while (x !== v);
        if (comp.length > 1) {
          comp.sort((a, b) => a - b);
          for (const c of comp) componentOf[c] = result.length;
          result.push(comp);
        }
      }
    }
  }
  return result;
}

/**
 * Cheapest path from `from` to `to` inside component `comp` as a list of edges (0-1 BFS: with
 * `weighted`, runtime edges cost 0 and others 1, so the path uses as few non-runtime imports as
 * it can; otherwise fewest edges). `to === from` finds a cycle through `from`. Null when none.
 */
function path(
  g: Indexed,
  from: number,
  to: number,
  componentOf: Int32Array,
  comp: number,
  keep: (e: Edge) => boolean,
  weighted: boolean,
): Edge[] | null {
  const prev = new Map<number, number>(); // node → edge slot that reached it
  const cost = new Map<number, number>([[from, 0]]);
  let layer: number[] = [from];
  let layerCost = 0;
  let closing = -1;
  let closingCost = Number.POSITIVE_INFINITY;
  while (layer.length > 0 && layerCost < closingCost) {
    const next: number[] = [];
    for (let head = 0; head < layer.length; head++) {
      const v = layer[head] as number;
      const base = cost.get(v) as number;
      if (base !== layerCost) continue; // reached more cheaply since it was queued
      for (let slot = g.start[v] as number; slot < (g.start[v + 1] as number); slot++) {
        const e = g.edge[slot] as Edge;
        const w = g.to[slot] as number;
        if (componentOf[w] !== comp || !keep(e)) continue;
        const step = weighted ? (e.kind === 'runtime' ? 0 : 1) : 1;
        const c = base + step;
        if (w === to && to === from) {
          if (c < closingCost) {
            closing = slot;
            closingCost = c;
          }
          continue;
        }
        const known = cost.get(w);
        if (known === undefined || c < known) {
          cost.set(w, c);
          prev.set(w, slot);
          (step === 0 ? layer : next).push(w);
        }
      }
    }
    layer = next;
    layerCost++;
  }
  let slot = to === from ? closing : (prev.get(to) ?? -1);
  if (slot === -1) return null;
  const edges: Edge[] = [];
  for (;;) {
    const e = g.edge[slot] as Edge;
    edges.unshift(e);
    const owner = g.owner[slot] as number;
    if (owner === from) break;
    slot = prev.get(owner) ?? -1;
    if (slot === -1) return null;
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

/** The package a module belongs to: its Python package, or its directory. */
function packageOf(graph: ProjectGraph, file: string): string {
  const m = graph.modules.get(file);
  if (m?.record.language === 'py') {
    const name = m.name;
    return file.endsWith('__init__.py')
      ? name
      : name.includes('.')
        ? name.slice(0, name.lastIndexOf('.'))
        : '(top level)';
  }
  const slash = file.lastIndexOf('/');
  return slash === -1 ? '.' : file.slice(0, slash);
}

/** A component's modules grouped by package, largest group first. */
function membersOf(graph: ProjectGraph, files: string[]): CycleFinding['members'] {
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const pkg = packageOf(graph, f);
    const list = groups.get(pkg) ?? [];
    list.push(graph.modules.get(f)?.name ?? f);
    groups.set(pkg, list);
  }
  return [...groups]
    .map(([pkg, modules]) => ({ package: pkg, modules: modules.sort() }))
    .sort((a, b) => b.modules.length - a.modules.length || a.package.localeCompare(b.package));
}

/** The fewest runtime import edges (module pairs) to cut so that the component has no runtime cycle. */
function cutOf(
  graph: ProjectGraph,
  g: Indexed,
  comp: number[],
  componentOf: Int32Array,
  ci: number,
): CycleEdge[] {
  const local = new Map(comp.map((v, i) => [v, i]));
  const pairs = new Map<string, { edge: WeightedEdge; statements: Edge[] }>();
  for (const v of comp) {
    for (let slot = g.start[v] as number; slot < (g.start[v + 1] as number); slot++) {
      const w = g.to[slot] as number;
      const e = g.edge[slot] as Edge;
      if (e.kind !== 'runtime' || componentOf[w] !== ci) continue;
      const key = `${v}>${w}`;
      let p = pairs.get(key);
      if (!p) {
        p = {
          edge: { from: local.get(v) as number, to: local.get(w) as number, weight: 0 },
          statements: [],
        };
        pairs.set(key, p);
      }
      p.edge.weight++;
      p.statements.push(e);
    }
  }
  const list = [...pairs.values()];
  const cut = new Set(
    feedbackArcSet(
      comp.length,
      list.map((p) => p.edge),
    ),
  );
  return list
    .filter((p) => cut.has(p.edge))
    .flatMap((p) => p.statements)
    .map((e) => ({
      from: graph.modules.get(e.from)?.name ?? e.from,
      to: graph.modules.get(e.to)?.name ?? e.to,
      file: e.from,
      line: e.line,
      kind: e.kind,
    }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** Import cycles: runtime ones, and separately those closed only by type-only, TYPE_CHECKING, function-level or dynamic imports. */
export function cycle(ctx: RuleContext): Finding[] {
  const { graph } = ctx;
  const g = indexGraph(graph);
  const runtime = (e: Edge) => e.kind === 'runtime';
  const any = () => true;
  const findings: CycleFinding[] = [];
  const make = (edges: Edge[], comp: number[], cut: CycleEdge[]): CycleFinding => {
    const componentSize = comp.length;
    const componentFiles = comp.map((v) => g.files[v] as string);
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
      message:
        componentSize > modules.length
          ? `${kind} import cycle in a component of ${componentSize} modules (${membersOf(graph, componentFiles).length} packages)${cut.length ? `; cutting ${new Set(cut.map((c) => `${c.from}>${c.to}`)).size} import edge(s) breaks its runtime cycles` : ''}: ${[...modules, modules[0]].join(' → ')}`
          : `${kind} import cycle: ${[...modules, modules[0]].join(' → ')}`,
      score: componentSize,
      scope: scopeOfFiles(componentFiles),
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
      members: membersOf(graph, componentFiles),
      cut,
    };
  };
  const runtimeOf = new Int32Array(g.files.length);
  components(g, runtime, runtimeOf).forEach((comp, ci) => {
    const start = comp[0] as number;
    const edges = path(g, start, start, runtimeOf, ci, runtime, false);
    if (edges) findings.push(make(rotate(edges), comp, cutOf(graph, g, comp, runtimeOf, ci)));
  });
  const anyOf = new Int32Array(g.files.length);
  components(g, any, anyOf).forEach((comp, ci) => {
    // A non-runtime import closes a weaker cycle unless both ends already share a runtime cycle.
    const closing: number[] = [];
    for (const v of comp) {
      for (let slot = g.start[v] as number; slot < (g.start[v + 1] as number); slot++) {
        const w = g.to[slot] as number;
        const e = g.edge[slot] as Edge;
        if (e.kind === 'runtime' || anyOf[w] !== ci) continue;
        if (runtimeOf[v] === -1 || runtimeOf[v] !== runtimeOf[w]) closing.push(slot);
      }
      if (closing.length >= MAX_CLOSING_EDGES) break;
    }
    let best: Edge[] | null = null;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const slot of closing.slice(0, MAX_CLOSING_EDGES)) {
      const e = g.edge[slot] as Edge;
      const rest = path(g, g.to[slot] as number, g.owner[slot] as number, anyOf, ci, any, true);
      if (!rest) continue;
      const edges = [e, ...rest];
      const c = edges.filter((x) => x.kind !== 'runtime').length * 1000 + edges.length;
      if (c < bestCost) {
        bestCost = c;
        best = edges;
      }
    }
    if (best) findings.push(make(rotate(best), comp, []));
  });
  return findings;
}
