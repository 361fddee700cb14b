import { Counter, Gauge, Registry } from 'prom-client';
import type { HistoryMemory } from './engine/engine.js';

/** The gateway's Prometheus metrics, in a registry of its own (several gateways per process in tests). */
export class GatewayMetrics {
  readonly registry = new Registry();

  private counter<L extends string = never>(name: string, help: string, labelNames: L[] = []) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string) {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  readonly connections = this.gauge('agentwire_connections', 'Open WebSocket connections');
  readonly users = this.gauge(
    'agentwire_users',
    'Users with at least one open connection on this process',
  );
  readonly publishes = this.counter(
    'agentwire_publishes_total',
    'Accepted publishes (duplicates by event id excluded)',
  );
  readonly duplicates = this.counter(
    'agentwire_duplicate_publishes_total',
    'Publishes whose event id was already in history (answered with the original seq)',
  );
  /**
   * Deliveries are counted in a plain field on the per-socket path and added to the counter
   * when the metrics are read.
   */
  delivered = 0;
  readonly deliveries: Counter = new Counter({
    name: 'agentwire_deliveries_total',
    help: 'Event frames written to sockets, live and replayed',
    registers: [this.registry],
    collect: () => {
      if (this.delivered === 0) return;
      this.deliveries.inc(this.delivered);
      this.delivered = 0;
    },
  });
  readonly resumes = this.counter(
    'agentwire_resumes_total',
    'Connections that resumed from (epoch, after) with a replay',
  );
  readonly resyncs = this.counter('agentwire_resyncs_total', 'Resync frames sent, by reason', [
    'reason',
  ]);
  readonly errors = this.counter(
    'agentwire_errors_total',
    'Errors answered to clients (error frames, HTTP errors, rejected upgrades), by code',
    ['code'],
  );
  readonly aborted = this.counter(
    'agentwire_requests_aborted_total',
    'HTTP requests whose client went away (or timed out) before the body was complete',
  );
  readonly closes = this.counter(
    'agentwire_closes_total',
    'Connections closed by the server, by close code',
    ['code'],
  );
  /**
   * The memory engine's history memory, read at scrape time. It lives outside V8's heap and
   * external-memory figures (engine/history-chunks.ts), so this gauge is where it shows.
   */
  watchHistoryMemory(read: () => HistoryMemory): void {
    new Gauge({
      name: 'agentwire_history_memory_bytes',
      help: 'Bytes of history chunks of the memory engine: in_use (history, sockets) or free',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const { allocatedBytes, freeBytes } = read();
        this.set({ state: 'in_use' }, allocatedBytes - freeBytes);
        this.set({ state: 'free' }, freeBytes);
      },
    });
  }

  readonly crossUserDeliveries = this.counter(
    'agentwire_cross_user_deliveries_total',
    'Frames stopped at send time because the socket belongs to another user; must stay 0',
  );
}
