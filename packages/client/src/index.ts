import { AgentwireClient } from './connection.js';
import type { ConnectOptions } from './options.js';
import { webSocketTransport } from './transport/browser.js';

export * from './common.js';

/**
 * Connects to an agentwire gateway with the environment's WebSocket. This is the browser entry
 * (and any runtime with a global WebSocket); under Node the package resolves to a twin that uses
 * `ws`, so this file never pulls Node modules into a browser bundle.
 */
export function connect(options: ConnectOptions): AgentwireClient {
  return new AgentwireClient(options, () => webSocketTransport());
}
