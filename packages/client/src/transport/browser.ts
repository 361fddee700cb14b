import type { Transport } from './types.js';

/** The standard WebSocket constructor shape (browsers, Deno, Bun, Node 22+). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/** A transport over a standard `WebSocket`; by default the global one. */
export function webSocketTransport(
  WebSocketImpl: WebSocketConstructor | undefined = globalThis.WebSocket,
): Transport {
  if (!WebSocketImpl) {
    throw new Error(
      'no global WebSocket here: in Node 20 import @agentwire/client under the "node" condition (it uses ws), or pass transport',
    );
  }
  return (url, protocols, handlers) => {
    const ws = new WebSocketImpl(url, protocols);
    ws.onopen = () => handlers.open();
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') handlers.message(event.data);
    };
    ws.onclose = (event) => handlers.close(event.code, event.reason);
    return {
      send: (text) => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
    };
  };
}
