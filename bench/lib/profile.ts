/** Reads a V8 .cpuprofile and lists where the time went: by function (self time) and by area. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function area(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'native (syscalls, libuv, V8 runtime)';
  if (url.includes('/packages/gateway/')) return 'agentwire gateway';
  if (url.includes('/packages/protocol/') || url.includes('@sinclair/typebox'))
    return 'validation (protocol, TypeBox)';
  if (url.includes('/prom-client/')) return 'metrics (prom-client)';
  if (
    url.includes('/node_modules/ws/') ||
    url.includes('/engine.io/') ||
    url.includes('/socket.io')
  )
    return 'ws / Socket.IO library';
  if (url.includes('/bench/')) return 'bench driver';
  if (url.startsWith('node:')) return 'Node core (net, stream, buffer)';
  if (!url) return `native: ${fn || '(anonymous)'}`;
  return 'other';
}

export function summarizeProfile(path: string, top = 30): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (!n) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/');
    const key =
      `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + n);
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + n);
  }
  const pct = (n: number) => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`${total} samples`, '', 'By area (self time):'];
  for (const [k, n] of [...byArea].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(n)}  ${k}`);
  lines.push('', `Top ${top} functions (self time):`);
  for (const [k, n] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(n)}  ${k}`);
  }
  return lines.join('\n');
}
