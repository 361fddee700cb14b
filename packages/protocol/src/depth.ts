import { ErrorCode } from './codes.js';
import type { ValidationError } from './validate.js';

/** Default bound on the nesting of objects and arrays in a publish body or client frame. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

interface Pending {
  value: object;
  depth: number;
  parent: Pending | undefined;
  key: string | number;
}

/**
 * The first value nested deeper than `maxDepth` objects/arrays, as an error naming its field
 * (`event.data.a[0]…`). Walks without recursion, so it is safe on any input `JSON.parse`
 * accepted (which parses without recursion too); run it before anything recursive — schema
 * checks, `JSON.stringify` — sees the value.
 */
export function nestingError(
  value: unknown,
  maxDepth: number,
  prefix: string,
): ValidationError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Pending[] = [{ value, depth: 1, parent: undefined, key: '' }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > maxDepth) {
      const field = pathOf(top, prefix);
      return {
        code: ErrorCode.InvalidField,
        field,
        message: `${field || 'value'}: nested deeper than ${maxDepth} levels`,
      };
    }
    const depth = top.depth + 1;
    if (Array.isArray(top.value)) {
      const items = top.value as unknown[];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (typeof item === 'object' && item !== null)
          stack.push({ value: item, depth, parent: top, key: i });
      }
    } else {
      const record = top.value as Record<string, unknown>;
      for (const key in record) {
        const item = record[key];
        if (typeof item === 'object' && item !== null)
          stack.push({ value: item, depth, parent: top, key });
      }
    }
  }
  return undefined;
}

function pathOf(entry: Pending, prefix: string): string {
  const keys: (string | number)[] = [];
  for (let e: Pending | undefined = entry; e?.parent !== undefined; e = e.parent) keys.push(e.key);
  let out = prefix;
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string | number;
    out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}
