import WebSocket from 'ws';
import type { Transport } from './types.js';

/**
 * A transport over `ws` for Node 20 (no global WebSocket). Unlike a browser it can see the HTTP
 * status of a refused upgrade, so a 401 counts as rejected credentials rather than a network loss.
 */
export function nodeTransport(): Transport {
  return (url, protocols, handlers) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    let httpStatus: number | undefined;
    ws.on('unexpected-response', (_req, res) => {
      httpStatus = res.statusCode;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => handlers.open());
    ws.on('message', (data, isBinary) => {
      if (!isBinary) handlers.message(data.toString());
    });
    // Errors are followed by 'close'; without a listener ws would throw them.
    ws.on('error', () => {});
    ws.on('close', (code, reason) => handlers.close(code, reason.toString(), httpStatus));
    return {
      send: (text) => ws.send(text),
      close: (code, reason) => {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(code, reason);
      },
    };
  };
}
