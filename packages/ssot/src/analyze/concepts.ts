import type { Definition } from '../graph/symbols.js';
import type { RuleContext } from './context.js';

export interface ConfiguredConcept {
  name: string;
  canonicalModule: string;
  /** The canonical symbol (the name the concept has at its canonical module). */
  symbol: string;
  /** The canonical symbol's definition, when the canonical module resolves. */
  definition: Definition | null;
  /** Every definition the concept covers: the canonical one and its members. */
  definitions: Definition[];
}

/** The module file a config module string names: a Python dotted name, a file path, or a TS module name. */
export function moduleFile(ctx: RuleContext, module: string): string | null {
  const { graph } = ctx;
  if (graph.modules.has(module)) return module;
  for (const m of graph.modules.values()) if (m.name === module) return m.file;
  return graph.resolvers.python.lookupModule(module, '') ?? null;
}

/** `app.ws.compat.Compat` → its definition; `src/a.ts:Name` too. */
function memberDefinition(ctx: RuleContext, member: string): Definition | null {
  const colon = member.lastIndexOf(':');
  const dot = member.lastIndexOf('.');
  const [module, name] =
    colon > 0
      ? [member.slice(0, colon), member.slice(colon + 1)]
      : [member.slice(0, dot), member.slice(dot + 1)];
  if (!module || !name) return null;
  const file = moduleFile(ctx, module);
  return file ? ctx.symbols.resolveExport(file, name) : null;
}

/** The concepts ssot.config.json names, resolved against the project (computed once per context). */
const cache = new WeakMap<RuleContext, ConfiguredConcept[]>();
export function configuredConcepts(ctx: RuleContext): ConfiguredConcept[] {
  const known = cache.get(ctx);
  if (known) return known;
  const out: ConfiguredConcept[] = [];
  for (const [name, c] of Object.entries(ctx.config.concepts ?? {})) {
    const file = moduleFile(ctx, c.canonical.module);
    const definition = file ? ctx.symbols.resolveExport(file, c.canonical.symbol ?? name) : null;
    const definitions = definition ? [definition] : [];
    for (const member of c.members ?? []) {
      const def = memberDefinition(ctx, member);
      if (def && !definitions.includes(def)) definitions.push(def);
    }
    out.push({
      name,
      canonicalModule: c.canonical.module,
      symbol: c.canonical.symbol ?? name,
      definition,
      definitions,
    });
  }
  cache.set(ctx, out);
  return out;
}

/**
 * A share as a person reads it: one decimal, never "100.0 %" while any part is missing and
 * never "0.0 %" when some is there.
 */
export function percent(part: number, whole: number): string {
  if (whole === 0) return '0.0 %';
  const v = (part / whole) * 100;
  let s = v.toFixed(1);
  if (part < whole && s === '100.0') s = '99.9';
  if (part > 0 && s === '0.0') s = '0.1';
  return `${s} %`;
}

/** The share as a number with four decimals, below 1 while any part is missing. */
export function share(part: number, whole: number): number {
  if (whole === 0) return 0;
  const v = Math.round((part / whole) * 10000) / 10000;
  return part < whole && v >= 1 ? 0.9999 : part > 0 && v === 0 ? 0.0001 : v;
}
