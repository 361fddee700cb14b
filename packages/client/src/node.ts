import { AgentwireClient } from './connection.js';
import type { ConnectOptions } from './options.js';
import { nodeTransport } from './transport/node.js';

export * from './common.js';

/** Connects to an agentwire gateway from Node, over `ws` (Node 20 has no global WebSocket). */
export function connect(options: ConnectOptions): AgentwireClient {
  return new AgentwireClient(options, nodeTransport);
}
export { nodeTransport } from './transport/node.js';
