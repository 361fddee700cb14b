import { type AddressInfo, createServer, type Server, Socket } from 'node:net';
import {
  type AgentwireClient,
  type ConnectOptions,
  connect,
  type DeliveredEvent,
} from '@agentwire/client';

/** A client that records what it delivers, resyncs and errors. */
export interface Recorder {
  client: AgentwireClient;
  events: DeliveredEvent[];
  resyncs: { epoch: string; seq: number; reason: string }[];
  errors: { code: string; message: string; closeCode?: number }[];
  states: string[];
}

export function record(options: Omit<ConnectOptions, 'onResync'> & Partial<ConnectOptions>) {
  const rec: Omit<Recorder, 'client'> = { events: [], resyncs: [], errors: [], states: [] };
  const client = connect({
    onResync: (info) => rec.resyncs.push({ epoch: info.epoch, seq: info.seq, reason: info.reason }),
    ...options,
  });
  client.on('event', (e) => rec.events.push(e));
  client.on('error', (e) =>
    rec.errors.push({
      code: e.code,
      message: e.message,
      ...(e.closeCode !== undefined && { closeCode: e.closeCode }),
    }),
  );
  client.on('state', (s) => rec.states.push(s));
  return { client, ...rec } as Recorder;
}

/**
 * A TCP proxy in front of the gateway that can cut every connection (as a network loss does) or
 * freeze them (a dead peer that sends nothing and never closes). New connections pass normally.
 */
export class FaultyProxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly frozen = new Set<[Socket, Socket]>();
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = createServer((client) => {
      const upstream = new Socket();
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(this.targetPort, '127.0.0.1', () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
  }

  listen(): Promise<this> {
    return this.listenOn(0);
  }

  async listenOn(port: number): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** Cuts every connection now: both sides see the TCP connection die. */
  cut(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /**
   * Ends every current connection as a draining gateway does: the server's WebSocket close frame
   * with `code` goes to the client, then the TCP connection closes.
   */
  closeWith(code: number): void {
    const frame = Buffer.from([0x88, 2, code >> 8, code & 0xff]); // FIN + close, unmasked, 2-byte code
    for (const [client, upstream] of this.pairs) {
      upstream.unpipe(client);
      upstream.destroy();
      client.end(frame);
    }
    this.pairs.clear();
  }

  /** Stops forwarding on every current connection without closing it. */
  freeze(): void {
    for (const [a, b] of this.pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
      this.frozen.add([a, b]);
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    for (const [a, b] of this.frozen) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
