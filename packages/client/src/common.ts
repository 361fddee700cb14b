// Everything both entry points (browser and Node) export besides `connect`.
export { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
export { AgentwireClient } from './connection.js';
export { AgentwireError, ClientErrorCode } from './errors.js';
export type { ClientStats, ConnectionState, ConnectOptions, DeliveredEvent } from './options.js';
export { type PositionStore, type StreamPosition, sessionStoragePosition } from './position.js';
export type { ReconnectOptions } from './reconnect.js';
export {
  type CustomStep,
  foldRun,
  type RunState,
  type RunStatus,
  type RunStep,
  RunTracker,
  type ThinkingStep,
  type ToolCallState,
} from './run-state.js';
export { tokenExpiry } from './token.js';
export { type WebSocketConstructor, webSocketTransport } from './transport/browser.js';
export type { Transport, TransportHandlers, TransportSocket } from './transport/types.js';
