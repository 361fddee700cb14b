/**
 * A Python tokenizer for the audit's fast path: what CPython's tokenizer does (indentation,
 * brackets, strings of every prefix including PEP 701 f-strings, line continuations), writing
 * compact tokens into one reusable Int32Array instead of objects. It stops at the first error
 * with the place CPython reports it at ("'(' was never closed" at the bracket, unterminated
 * strings at their start, "unindent does not match" at the line).
 */

export enum T {
  Name = 1,
  Number = 2,
  String = 3,
  Op = 4,
  Newline = 5,
  Indent = 6,
  Dedent = 7,
  End = 8,
}

export interface TokenError {
  offset: number;
  message: string;
}

/** Tokens of one file: kind, start and end offset of token i are at 3i, 3i + 1, 3i + 2. */
export interface Tokens {
  data: Int32Array;
  count: number;
  error: TokenError | null;
}

let buffer = new Int32Array(3 * 65536);

const ID_START = /[\p{ID_Start}_]/u;
const ID_CONTINUE = /[\p{ID_Continue}]/u;
const STRING_PREFIX = /^(?:[rRuUbBfFtT]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF]|[tT][rR]|[rR][tT])$/;
const NUMBER =
  /0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?/y;
/** Operators; a token's id (kind >> 8) is its index here plus one. */
export const OPS = [
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '.',
  '=',
  '...',
  '+',
  '-',
  '~',
  '*',
  '**',
  '/',
  '//',
  '%',
  '@',
  '&',
  '|',
  '^',
  '<<',
  '>>',
  '<',
  '>',
  '<=',
  '>=',
  '==',
  '!=',
  '->',
  ':=',
  '+=',
  '-=',
  '*=',
  '/=',
  '//=',
  '%=',
  '@=',
  '&=',
  '|=',
  '^=',
  '>>=',
  '<<=',
  '**=',
] as const;
/** Keywords; a name token's id (kind >> 8) is its index here plus one (0: an identifier). */
export const KEYWORDS = [
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
] as const;
export type Op = (typeof OPS)[number];
export type Keyword = (typeof KEYWORDS)[number];
export const opId = (op: Op): number => OPS.indexOf(op) + 1;
export const keywordId = (kw: Keyword): number => KEYWORDS.indexOf(kw) + 1;

/** Numeric key of up to three ASCII characters. */
const key = (c: number, d = 0, e = 0) => c + d * 128 + e * 16384;
const OP_BY_KEY = new Map<number, number>(
  OPS.map((op, i) => [key(op.charCodeAt(0), op.charCodeAt(1) || 0, op.charCodeAt(2) || 0), i + 1]),
);
const hash = (s: string) => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
};
const KEYWORD_BY_HASH = new Map<number, number>(KEYWORDS.map((k, i) => [hash(k), i + 1]));
const CLOSER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
/** Keywords a number may touch (`1if x else 2` is valid, `10L` is not). */
const NUMBER_SUFFIX_KEYWORDS = /^(and|else|for|if|in|is|not|or)$/;

function isAsciiNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isAsciiName(c: number): boolean {
  return isAsciiNameStart(c) || (c >= 48 && c <= 57);
}

class Tokenizer {
  data = buffer;
  count = 0;
  pos = 0;
  readonly brackets: number[] = []; // offsets of open brackets
  readonly indents: number[] = [0];
  readonly altIndents: number[] = [0];

  constructor(readonly text: string) {}

  emit(kind: T, start: number, end: number): void {
    if (3 * this.count + 3 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = buffer = grown;
    }
    const i = 3 * this.count++;
    this.data[i] = kind;
    this.data[i + 1] = start;
    this.data[i + 2] = end;
  }

  fail(offset: number, message: string): never {
    throw new TokenFailure(offset, message);
  }

  /** Hash of the ASCII identifier `name` read last (for keyword look-up). */
  nameHash = 0;

  /** Reads one (possibly non-ASCII) identifier from `pos`; returns its end. */
  name(pos: number): number {
    const text = this.text;
    let p = pos;
    let h = 0;
    for (;;) {
      const c = text.charCodeAt(p);
      if (isAsciiName(c)) {
        h = (h * 31 + c) | 0;
        p++;
      } else if (c >= 128) {
        const cp = text.codePointAt(p) as number;
        const ch = String.fromCodePoint(cp);
        if (!(p === pos ? ID_START : ID_CONTINUE).test(ch)) break;
        h = 0x7fffffff; // not a keyword
        p += ch.length;
      } else break;
    }
    this.nameHash = h;
    return p;
  }

  /** The keyword id of the identifier [p, end) just read, or 0. */
  keyword(p: number, end: number): number {
    const id = KEYWORD_BY_HASH.get(this.nameHash);
    if (id === undefined) return 0;
    const kw = KEYWORDS[id - 1] as string;
    return kw.length === end - p && this.text.startsWith(kw, p) ? id : 0;
  }

  /** A string starting at `start` whose opening quote is at `q`; returns the offset after it. */
  string(start: number, q: number, prefix: string): number {
    const text = this.text;
    const quote = text.charCodeAt(q);
    const triple = text.charCodeAt(q + 1) === quote && text.charCodeAt(q + 2) === quote;
    const formatted = prefix !== '' && /[fFtT]/.test(prefix);
    let p = q + (triple ? 3 : 1);
    if (triple && !formatted) {
      // Docstrings and SQL blocks: jump from quote to quote, skipping escaped ones.
      const close = quote === 34 ? '"""' : "'''";
      for (;;) {
        const at = text.indexOf(close, p);
        if (at === -1) this.fail(start, 'unterminated triple-quoted string literal');
        let backslashes = 0;
        while (text.charCodeAt(at - 1 - backslashes) === 92) backslashes++;
        if (backslashes % 2 === 0) return at + 3;
        p = at + 1;
      }
    }
    for (;;) {
      const c = text.charCodeAt(p);
      if (Number.isNaN(c)) {
        this.fail(
          start,
          triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal',
        );
      }
      if (c === quote) {
        if (!triple) return p + 1;
        if (text.charCodeAt(p + 1) === quote && text.charCodeAt(p + 2) === quote) return p + 3;
        p++;
      } else if (c === 92 /* \ */) {
        // In an f-string a backslash does not escape a brace: `\}}` is a backslash and `}}`.
        const next = text.charCodeAt(p + 1);
        p += formatted && (next === 123 || next === 125) ? 1 : 2;
        if (text.charCodeAt(p - 1) === 13 && text.charCodeAt(p) === 10) p++;
      } else if ((c === 10 || c === 13) && !triple) {
        this.fail(start, 'unterminated string literal');
      } else if (formatted && c === 123 /* { */) {
        if (text.charCodeAt(p + 1) === 123) p += 2;
        else p = this.field(p + 1, triple, start);
      } else if (formatted && c === 125 /* } */) {
        if (text.charCodeAt(p + 1) === 125) p += 2;
        else this.fail(p, "f-string: single '}' is not allowed");
      } else p++;
    }
  }

  /** A replacement field's expression from `p` (after `{`); returns the offset after its `}`. */
  field(p: number, triple: boolean, stringStart: number): number {
    const text = this.text;
    let depth = 0;
    for (;;) {
      const c = text.charCodeAt(p);
      if (Number.isNaN(c)) this.fail(stringStart, 'unterminated f-string');
      if (c === 39 || c === 34) {
        // A nested string of any quote (PEP 701), with its own prefix letters before it.
        let s = p;
        while (s > 0 && isAsciiNameStart(text.charCodeAt(s - 1))) s--;
        const prefix = text.slice(s, p);
        p = this.string(s, p, STRING_PREFIX.test(prefix) ? prefix : '');
        continue;
      }
      if (c === 35 /* # */) {
        if (!triple) this.fail(p, "f-string expression part cannot include '#'");
        while (p < text.length && text.charCodeAt(p) !== 10) p++;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93) depth--;
      else if (c === 125) {
        if (depth === 0) return p + 1;
        depth--;
      } else if (depth === 0 && c === 33 /* ! */ && text.charCodeAt(p + 1) !== 61) {
        // Conversion `!r`, then `:` spec or `}`.
        p += 2;
        continue;
      } else if (depth === 0 && c === 58 /* : */) return this.spec(p + 1, triple, stringStart);
      p++;
    }
  }

  /** A format spec (literal text with nested fields) up to the field's `}`. */
  spec(p: number, triple: boolean, stringStart: number): number {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(p);
      if (Number.isNaN(c)) this.fail(stringStart, 'unterminated f-string');
      if (c === 123) p = this.field(p + 1, triple, stringStart);
      else if (c === 125) return p + 1;
      else if ((c === 10 || c === 13) && !triple)
        this.fail(stringStart, 'unterminated string literal');
      else p++;
    }
  }

  /** Indentation at the start of a line that holds a token: INDENT/DEDENT as CPython does. */
  indentation(lineStart: number, col: number, altCol: number, at: number): void {
    const indents = this.indents;
    const top = indents[indents.length - 1] as number;
    const altTop = this.altIndents[this.altIndents.length - 1] as number;
    if (col === top) {
      if (altCol !== altTop) this.fail(at, 'inconsistent use of tabs and spaces in indentation');
    } else if (col > top) {
      if (altCol <= altTop) this.fail(at, 'inconsistent use of tabs and spaces in indentation');
      indents.push(col);
      this.altIndents.push(altCol);
      this.emit(T.Indent, lineStart, at);
    } else {
      while (indents.length > 1 && col < (indents[indents.length - 1] as number)) {
        indents.pop();
        this.altIndents.pop();
        this.emit(T.Dedent, at, at);
      }
      if (col !== indents[indents.length - 1]) {
        this.fail(at, 'unindent does not match any outer indentation level');
      }
      if (altCol !== this.altIndents[this.altIndents.length - 1]) {
        this.fail(at, 'inconsistent use of tabs and spaces in indentation');
      }
    }
  }

  run(): void {
    const text = this.text;
    const n = text.length;
    let p = 0;
    let atLineStart = true;
    let lineHasTokens = false;
    while (p < n) {
      if (atLineStart && this.brackets.length === 0) {
        // Measure indentation; blank and comment-only lines do not count.
        const lineStart = p;
        let col = 0;
        let altCol = 0;
        for (;;) {
          const c = text.charCodeAt(p);
          if (c === 32) {
            col++;
            altCol++;
          } else if (c === 9) {
            col = (Math.floor(col / 8) + 1) * 8;
            altCol++;
          } else if (c === 12) {
            col = altCol = 0;
          } else break;
          p++;
        }
        const c = text.charCodeAt(p);
        if (c === 10 || c === 13 || c === 35 || Number.isNaN(c)) {
          while (p < n && text.charCodeAt(p) !== 10) p++;
          p++;
          continue;
        }
        if (c === 92 && (text.charCodeAt(p + 1) === 10 || text.charCodeAt(p + 1) === 13)) {
          // A backslash on an otherwise empty line continues it.
          p += text.charCodeAt(p + 1) === 13 && text.charCodeAt(p + 2) === 10 ? 3 : 2;
          continue;
        }
        this.indentation(lineStart, col, altCol, p);
        atLineStart = false;
        lineHasTokens = false;
      }
      let c = text.charCodeAt(p);
      if (c === 32 || c === 9 || c === 12) {
        do c = text.charCodeAt(++p);
        while (c === 32 || c === 9 || c === 12);
        continue;
      }
      if (c === 10 || c === 13) {
        const end = p;
        p += c === 13 && text.charCodeAt(p + 1) === 10 ? 2 : 1;
        if (this.brackets.length === 0) {
          if (lineHasTokens) this.emit(T.Newline, end, end);
          atLineStart = true;
        }
        continue;
      }
      if (c === 35) {
        const nl = text.indexOf('\n', p);
        const end = nl === -1 ? n : nl;
        const cr = text.lastIndexOf('\r', end);
        p = cr > p ? cr : end;
        continue;
      }
      if (c === 92) {
        const d = text.charCodeAt(p + 1);
        if (d === 10) p += 2;
        else if (d === 13) p += text.charCodeAt(p + 2) === 10 ? 3 : 2;
        else if (Number.isNaN(d)) this.fail(p, 'unexpected EOF while parsing');
        else this.fail(p + 1, 'unexpected character after line continuation character');
        continue;
      }
      lineHasTokens = true;
      if (c === 39 || c === 34) {
        const end = this.string(p, p, '');
        this.emit(T.String, p, end);
        p = end;
        continue;
      }
      if (isAsciiNameStart(c) || c >= 128) {
        const end = this.name(p);
        if (end === p)
          this.fail(
            p,
            `invalid character '${String.fromCodePoint(text.codePointAt(p) as number)}'`,
          );
        const q = text.charCodeAt(end);
        if ((q === 39 || q === 34) && end - p <= 2 && STRING_PREFIX.test(text.slice(p, end))) {
          const stop = this.string(p, end, text.slice(p, end));
          this.emit(T.String, p, stop);
          p = stop;
          continue;
        }
        this.emit(T.Name | (this.keyword(p, end) << 8), p, end);
        p = end;
        continue;
      }
      if (
        (c >= 48 && c <= 57) ||
        (c === 46 && text.charCodeAt(p + 1) >= 48 && text.charCodeAt(p + 1) <= 57)
      ) {
        NUMBER.lastIndex = p;
        const m = NUMBER.exec(text);
        const end = p + (m?.[0].length ?? 1);
        const literal = m?.[0] ?? '';
        if (/^0\d/.test(literal) && /[1-9]/.test(literal) && !/[.eEjJ]/.test(literal)) {
          this.fail(p, 'leading zeros in decimal integer literals are not permitted');
        }
        const after = text.charCodeAt(end);
        if (isAsciiName(after) || after >= 128) {
          const word = text.slice(end, this.name(end));
          if (!NUMBER_SUFFIX_KEYWORDS.test(word)) this.fail(p, 'invalid decimal literal');
        }
        this.emit(T.Number, p, end);
        p = end;
        continue;
      }
      const d = text.charCodeAt(p + 1);
      const e = text.charCodeAt(p + 2);
      let len = 0;
      let id: number | undefined;
      if (d < 128 && e < 128) id = OP_BY_KEY.get(key(c, d, e));
      if (id !== undefined) len = 3;
      else {
        if (d < 128) id = OP_BY_KEY.get(key(c, d));
        if (id !== undefined) len = 2;
        else {
          id = c < 128 ? OP_BY_KEY.get(key(c)) : undefined;
          if (id === undefined) {
            this.fail(
              p,
              `invalid character '${String.fromCodePoint(text.codePointAt(p) as number)}'`,
            );
          }
          len = 1;
        }
      }
      if (len === 1) {
        if (c === 40 || c === 91 || c === 123) this.brackets.push(p);
        else if (c === 41 || c === 93 || c === 125) {
          const open = this.brackets.pop();
          if (open === undefined) this.fail(p, `unmatched '${text[p]}'`);
          if (text[open] !== CLOSER[text[p] as string]) {
            this.fail(
              p,
              `closing parenthesis '${text[p]}' does not match opening parenthesis '${text[open]}'`,
            );
          }
        }
      }
      this.emit(T.Op | ((id as number) << 8), p, p + len);
      p += len;
    }
    if (this.brackets.length) {
      const open = this.brackets[this.brackets.length - 1] as number;
      this.fail(open, `'${text[open]}' was never closed`);
    }
    if (lineHasTokens && !atLineStart) this.emit(T.Newline, n, n);
    for (let i = 1; i < this.indents.length; i++) this.emit(T.Dedent, n, n);
    this.emit(T.End, n, n);
  }
}

class TokenFailure extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Tokenizes `text`. The returned array is reused by the next call on this thread. */
export function tokenize(text: string): Tokens {
  const t = new Tokenizer(text);
  try {
    t.run();
  } catch (e) {
    if (!(e instanceof TokenFailure)) throw e;
    return { data: t.data, count: t.count, error: { offset: e.offset, message: e.message } };
  }
  return { data: t.data, count: t.count, error: null };
}
