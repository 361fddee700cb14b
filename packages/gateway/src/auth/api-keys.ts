import { createHash, timingSafeEqual } from 'node:crypto';

/** Checks publish API keys in constant time; keys are held only as SHA-256 digests. */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  accepts(key: string): boolean {
    const candidate = digest(key);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, candidate) || ok;
    return ok;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
