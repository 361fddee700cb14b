import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { ErrorCode } from './codes.js';
import {
  type BuiltinEventType,
  EventDataSchemas,
  EventEnvelopeSchema,
  type EventInput,
  isBuiltinEventType,
  isCustomEventType,
} from './events.js';
import { type ClientFrame, ClientFrameSchemas, type ClientFrameType } from './frames.js';

/** A validation failure: what kind, which field (dotted path, e.g. `event.data.callId`), and why. */
export interface ValidationError {
  code: ErrorCode;
  field?: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

const ENVELOPE_FIELDS = new Set(Object.keys(EventEnvelopeSchema.properties));
// RFC 3339 date-time, as produced by Date#toISOString (offsets allowed; `T` and `Z` upper case).
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is an RFC 3339 date-time whose every part is in range (no month 13, hour 99). */
export function isRfc3339(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  return (
    (month as number) >= 1 &&
    (month as number) <= 12 &&
    (day as number) >= 1 &&
    (day as number) <= daysInMonth &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    // 60: a leap second, which RFC 3339 allows.
    (second as number) <= 60 &&
    (m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59))
  );
}

// TypeBox checks a `format` against its process-wide FormatRegistry, and a format nobody
// registered fails every value: the envelope's `ts` (format `date-time`) would refuse every
// timestamp. Register it with the check below unless the application registered its own.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', isRfc3339);
}

// Checkers are compiled on first use: importing the protocol for its types and constants (as the
// browser client does) costs nothing, and no code generation runs unless validation is used.
const compiled = new Map<TSchema, TypeCheck<TSchema>>();
function checker(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/** `/data/items/0/name` → `prefix.data.items[0].name` */
function joinPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else out += out ? `.${key}` : key;
  }
  return out;
}

function schemaError(schema: TSchema, value: unknown, prefix: string): ValidationError | undefined {
  const check = checker(schema);
  if (check.Check(value)) return undefined;
  const first = check.Errors(value).First();
  const field = joinPath(prefix, first?.path ?? '');
  return {
    code: ErrorCode.InvalidField,
    field,
    message: `${field || 'value'}: ${first?.message ?? 'invalid value'}`,
  };
}

function invalid(field: string, message: string): Validated<never> {
  return {
    ok: false,
    error: { code: ErrorCode.InvalidField, field, message: `${field}: ${message}` },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates an event body at an untrusted edge. `prefix` names where the event sits in the
 * request (`event`, `batch[3].event`) so the error names the full field path.
 */
export function validateEvent(input: unknown, prefix = 'event'): Validated<EventInput> {
  if (!isPlainObject(input)) return invalid(prefix, 'must be a JSON object');
  for (const key in input) {
    if (!ENVELOPE_FIELDS.has(key)) return invalid(`${prefix}.${key}`, 'unknown field');
  }
  // Before the schema, so that a bad timestamp gets this message rather than the format's.
  if (input.ts !== undefined && (typeof input.ts !== 'string' || !isRfc3339(input.ts))) {
    return invalid(
      `${prefix}.ts`,
      'must be an RFC 3339 timestamp such as 2026-11-22T10:00:00.123Z',
    );
  }
  const envelopeError = schemaError(EventEnvelopeSchema, input, prefix);
  if (envelopeError) return { ok: false, error: envelopeError };
  const type = input.type as string;
  if (isBuiltinEventType(type)) {
    if (input.runId === undefined) return invalid(`${prefix}.runId`, `is required for ${type}`);
    const data = input.data;
    if (!isPlainObject(data)) return invalid(`${prefix}.data`, `must be an object for ${type}`);
    const dataError = schemaError(
      EventDataSchemas[type as BuiltinEventType],
      data,
      `${prefix}.data`,
    );
    if (dataError) return { ok: false, error: dataError };
    if (type === 'tool_completed' && data.result !== undefined && data.error !== undefined) {
      return invalid(`${prefix}.data`, 'tool_completed carries either result or error, not both');
    }
  } else if (!isCustomEventType(type)) {
    return invalid(
      `${prefix}.type`,
      `unknown event type "${type.slice(0, 64)}"; custom types must start with "x-"`,
    );
  }
  return { ok: true, value: input as unknown as EventInput };
}

/** Parses and validates one client → server text frame. */
export function parseClientFrame(text: string): Validated<ClientFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: { code: ErrorCode.InvalidJson, message: 'frame is not valid JSON' },
    };
  }
  return validateClientFrame(value);
}

export function validateClientFrame(value: unknown): Validated<ClientFrame> {
  if (!isPlainObject(value)) return invalid('frame', 'must be a JSON object');
  const type = value.type;
  if (typeof type !== 'string') return invalid('type', 'must be a string');
  if (!Object.hasOwn(ClientFrameSchemas, type)) {
    return {
      ok: false,
      error: {
        code: ErrorCode.UnknownType,
        field: 'type',
        message: `unknown frame type "${type.slice(0, 64)}"; expected ping, refresh or message`,
      },
    };
  }
  const error = schemaError(ClientFrameSchemas[type as ClientFrameType], value, '');
  if (error) return { ok: false, error };
  return { ok: true, value: value as ClientFrame };
}
