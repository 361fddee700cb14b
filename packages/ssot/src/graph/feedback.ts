/**
 * A small feedback arc set: import edges whose removal leaves a directed graph without cycles.
 * Finding the fewest is NP-hard; this takes the Eades–Lin–Smyth ordering (peel sinks and sources,
 * else take the node with the largest out-degree minus in-degree), cuts the edges that point
 * backwards in it, then puts back every cut edge that closes no cycle on its own — so each edge
 * left in the result is needed. Edges are weighted by how many statements they stand for:
 * among equal choices, the cheaper edge to rewrite is cut.
 */
export interface WeightedEdge {
  from: number;
  to: number;
  weight: number;
}

export function feedbackArcSet(nodeCount: number, edges: WeightedEdge[]): WeightedEdge[] {
  const out: number[][] = Array.from({ length: nodeCount }, () => []);
  const inc: number[][] = Array.from({ length: nodeCount }, () => []);
  edges.forEach((e, i) => {
    out[e.from]?.push(i);
    inc[e.to]?.push(i);
  });
  const removed = new Uint8Array(nodeCount);
  const outDeg = new Float64Array(nodeCount);
  const inDeg = new Float64Array(nodeCount);
  for (const e of edges) {
    outDeg[e.from] = (outDeg[e.from] as number) + e.weight;
    inDeg[e.to] = (inDeg[e.to] as number) + e.weight;
  }
  const liveOut = new Int32Array(nodeCount);
  const liveIn = new Int32Array(nodeCount);
  for (const e of edges) {
    liveOut[e.from] = (liveOut[e.from] as number) + 1;
    liveIn[e.to] = (liveIn[e.to] as number) + 1;
  }
  const head: number[] = [];
  const tail: number[] = [];
  const take = (v: number) => {
    removed[v] = 1;
    for (const i of out[v] as number[]) {
      const e = edges[i] as WeightedEdge;
      if (removed[e.to]) continue;
      liveIn[e.to] = (liveIn[e.to] as number) - 1;
      inDeg[e.to] = (inDeg[e.to] as number) - e.weight;
    }
    for (const i of inc[v] as number[]) {
      const e = edges[i] as WeightedEdge;
      if (removed[e.from]) continue;
      liveOut[e.from] = (liveOut[e.from] as number) - 1;
      outDeg[e.from] = (outDeg[e.from] as number) - e.weight;
    }
  };
  let left = nodeCount;
  while (left > 0) {
    let progress = true;
    while (progress) {
      progress = false;
      for (let v = 0; v < nodeCount; v++) {
        if (removed[v]) continue;
        if (liveOut[v] === 0) {
          take(v);
          tail.push(v);
          left--;
          progress = true;
        } else if (liveIn[v] === 0) {
          take(v);
          head.push(v);
          left--;
          progress = true;
        }
      }
    }
    if (left === 0) break;
    let best = -1;
    let bestDelta = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < nodeCount; v++) {
      if (removed[v]) continue;
      const d = (outDeg[v] as number) - (inDeg[v] as number);
      if (d > bestDelta) {
        bestDelta = d;
        best = v;
      }
    }
    take(best);
    head.push(best);
    left--;
  }
  const order = new Int32Array(nodeCount);
  [...head, ...tail.reverse()].forEach((v, i) => {
    order[v] = i;
  });
  const cut = new Set<number>();
  edges.forEach((e, i) => {
    if ((order[e.from] as number) >= (order[e.to] as number)) cut.add(i);
  });
  // Put back, most expensive first, every cut edge that closes no cycle with the kept ones.
  const isCut = new Uint8Array(edges.length);
  for (const i of cut) isCut[i] = 1;
  const seen = new Int32Array(nodeCount); // visit stamp per search: no array per search
  let stamp = 0;
  const reaches = (from: number, to: number): boolean => {
    stamp++;
    const stack = [from];
    seen[from] = stamp;
    while (stack.length) {
      const v = stack.pop() as number;
      if (v === to) return true;
      for (const i of out[v] as number[]) {
        if (isCut[i]) continue;
        const w = (edges[i] as WeightedEdge).to;
        if (seen[w] !== stamp) {
          seen[w] = stamp;
          stack.push(w);
        }
      }
    }
    return false;
  };
  const candidates = [...cut].sort(
    (a, b) => (edges[b] as WeightedEdge).weight - (edges[a] as WeightedEdge).weight,
  );
  for (const i of candidates) {
    const e = edges[i] as WeightedEdge;
    if (!reaches(e.to, e.from)) {
      cut.delete(i);
      isCut[i] = 0;
    }
  }
  return [...cut].map((i) => edges[i] as WeightedEdge);
}
