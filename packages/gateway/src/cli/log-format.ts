import { type Logger, pino } from 'pino';

/** `json`: one JSON object per line (for log collectors); `pretty`: short lines for a person. */
export type LogFormat = 'json' | 'pretty';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** One pino JSON line as `HH:MM:SS LEVEL message key=value …`. */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now());
  const clock = time.toTimeString().slice(0, 8);
  const level = (LEVELS[record.level as number] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${clock} ${level} ${String(record.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

/**
 * The command's logger. Pretty lines are formatted here rather than with pino-pretty to keep the
 * gateway's production install small; JSON lines are pino's own.
 */
export function createCliLogger(level: string, format: LogFormat): Logger {
  // Synchronous, so log lines and the command's own output (credentials) stay in order.
  if (format === 'json') {
    return pino({ name: 'agentwire', level }, pino.destination({ dest: 1, sync: true }));
  }
  return pino(
    { name: 'agentwire', level },
    { write: (line: string) => process.stdout.write(prettyLine(line)) },
  );
}
