import type { Socket } from 'node:net';
import type { TestGateway } from '@agentwire/testkit';
import type { WebSocket } from 'ws';
import type { Connection } from '../../src/ws/connection.js';
import type { ConnectionManager } from '../../src/ws/manager.js';
import { underlyingSocket } from '../../src/ws/wire.js';

/**
 * The one place tests reach past public APIs: the TCP socket under a `ws` WebSocket (to pause a
 * reader, or count writes) and the gateway's side of a connection (its manager is private: no
 * API sends to one connection). test/ws-internals.test.ts checks the pinned `ws` still has them.
 */

/** The TCP socket under a `ws` WebSocket, client or server side (ws 8 keeps it in `_socket`). */
export function tcpOf(ws: WebSocket): Socket {
  const socket = underlyingSocket(ws);
  if (!socket) throw new Error('this ws keeps no _socket: see test/ws-internals.test.ts');
  return socket;
}

/** The gateway's connections of `userId` on this process. */
export function serverConnections(gw: TestGateway, userId: string): Connection[] {
  const { manager } = gw.gateway as unknown as { manager: ConnectionManager };
  return [...manager.allConnections()].filter((c) => c.userId === userId);
}
