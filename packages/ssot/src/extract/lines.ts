import type { Location, Span } from './types.js';

/** Maps string offsets of one file's text to 1-based line/column positions. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    let i = text.indexOf('\n');
    while (i !== -1) {
      this.starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
  }

  /** 1-based line of `offset`. */
  line(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based column of `offset` (in string offsets, like the spans). */
  column(offset: number): number {
    return offset - (this.starts[this.line(offset) - 1] as number) + 1;
  }

  location(span: Span): Location {
    const line = this.line(span.start);
    return { span, line, column: span.start - (this.starts[line - 1] as number) + 1 };
  }
}
