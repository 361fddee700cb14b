import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import { MissingPeerError } from '../errors.js';

const require = createRequire(import.meta.url);

/**
 * Loads ioredis when a Redis engine is created, so a gateway on the memory engine runs without
 * it installed and does not carry it (about 10 MB of RSS, measured under the flood workload). Synchronous (ioredis is CommonJS) so `new RedisEngine()` stays synchronous.
 */
export function loadIoredis(): typeof IORedis {
  try {
    return require('ioredis') as typeof IORedis;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'MODULE_NOT_FOUND' && message.startsWith("Cannot find module 'ioredis'")) {
      throw new MissingPeerError('ioredis', 'the Redis engine (RedisEngine, --engine redis)');
    }
    throw error;
  }
}
