import { EngineUnavailableError } from '../errors.js';
import type { Engine } from './engine.js';

/** Default bound on every engine call, in ms (`GatewayOptions.engineTimeoutMs`). */
export const DEFAULT_ENGINE_TIMEOUT_MS = 2000;

/**
 * Rejects with EngineUnavailableError when `promise` has not settled within `ms`; the late
 * outcome is ignored (a late rejection included, so it is never unhandled).
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new EngineUnavailableError(`engine did not answer ${what} within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The engine as the gateway uses it: every asynchronous call is bounded by `timeoutMs`, whatever
 * the engine does inside (an application's own engine included), so a stalled store means 503
 * and a false `ready()`, never a hang. `appendSync` (in-process engines) passes through.
 */
export function boundedEngine(engine: Engine, timeoutMs: number): Engine {
  const renewLeases = engine.shared.renewLeases?.bind(engine.shared);
  const bounded: Engine = {
    name: engine.name,
    shared: {
      putTicket: (key, value, ttlMs) =>
        within(engine.shared.putTicket(key, value, ttlMs), timeoutMs, 'putTicket'),
      takeTicket: (key) => within(engine.shared.takeTicket(key), timeoutMs, 'takeTicket'),
      admitConnection: (userId, connectionId, max, leaseMs) =>
        within(
          engine.shared.admitConnection(userId, connectionId, max, leaseMs),
          timeoutMs,
          'admitConnection',
        ),
      ...(renewLeases && {
        renewLeases: (leases, leaseMs) =>
          within(renewLeases(leases, leaseMs), timeoutMs, 'renewLeases'),
      }),
      releaseConnection: (userId, connectionId) =>
        within(
          engine.shared.releaseConnection(userId, connectionId),
          timeoutMs,
          'releaseConnection',
        ),
    },
    append: (userId, id, json) => within(engine.append(userId, id, json), timeoutMs, 'append'),
    head: (userId) => within(engine.head(userId), timeoutMs, 'head'),
    read: (userId, afterSeq) => within(engine.read(userId, afterSeq), timeoutMs, 'read'),
    subscribe: (userId, listener, onInterrupted) => {
      const subscribing = engine.subscribe(userId, listener, onInterrupted);
      return within(subscribing, timeoutMs, 'subscribe').catch((error: unknown) => {
        // A subscription that becomes active after the caller gave up must not stay behind.
        subscribing.then((unsubscribe) => unsubscribe()).catch(() => {});
        throw error;
      });
    },
    ready: () => within(engine.ready(), timeoutMs, 'ready').catch(() => false),
    close: () => engine.close(),
  };
  if (engine.appendSync) bounded.appendSync = engine.appendSync.bind(engine);
  return bounded;
}
