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

export { FaultyProxy } from '@agentwire/testkit';
