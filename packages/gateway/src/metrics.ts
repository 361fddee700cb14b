import { Counter, Gauge, Registry } from 'prom-client';

/** The gateway's Prometheus metrics, in a registry of its own (several gateways per process in tests). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: 'agentwire_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  readonly users = new Gauge({
    name: 'agentwire_users',
    help: 'Users with at least one open connection on this process',
    registers: [this.registry],
  });
  readonly publishes = new Counter({
    name: 'agentwire_publishes_total',
    help: 'Accepted publishes (duplicates by event id excluded)',
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'agentwire_duplicate_publishes_total',
    help: 'Publishes whose event id was already in history (answered with the original seq)',
    registers: [this.registry],
  });
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
  readonly resumes = new Counter({
    name: 'agentwire_resumes_total',
    help: 'Connections that resumed from (epoch, after) with a replay',
    registers: [this.registry],
  });
  readonly resyncs = new Counter({
    name: 'agentwire_resyncs_total',
    help: 'Resync frames sent, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'agentwire_errors_total',
    help: 'Errors answered to clients (error frames, HTTP errors, rejected upgrades), by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly closes = new Counter({
    name: 'agentwire_closes_total',
    help: 'Connections closed by the server, by close code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly crossUserDeliveries = new Counter({
    name: 'agentwire_cross_user_deliveries_total',
    help: 'Frames stopped at send time because the socket belongs to another user; must stay 0',
    registers: [this.registry],
  });
}
