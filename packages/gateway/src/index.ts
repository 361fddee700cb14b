export type { JwtAlgorithm, JwtOptions, TokenVerifier, VerifiedToken } from './auth/jwt.js';
export {
  type EngineConfig,
  type GatewayConfig,
  type LoadConfigInput,
  loadConfig,
  type Profile,
} from './config/load.js';
export { RunEmitter, UserEmitter } from './emitter.js';
export type {
  AppendResult,
  Engine,
  HistoryLimits,
  ReadResult,
  StoredEvent,
  StreamHead,
  StreamListener,
} from './engine/engine.js';
export { MemoryEngine, type MemoryEngineOptions } from './engine/memory.js';
export { RedisEngine, type RedisEngineOptions } from './engine/redis.js';
export {
  ConfigError,
  EngineUnavailableError,
  MessageError,
  MissingPeerError,
  PublishError,
  RunCancelledError,
  WebhookSignatureError,
} from './errors.js';
export { createGateway, Gateway, type GatewayStats } from './gateway.js';
export type { MetricsOptions } from './http/metrics-endpoint.js';
export {
  DEFAULT_HISTORY,
  DEFAULT_LIMITS,
  type GatewayOptions,
  type Limits,
  type MessageHandler,
  type UpstreamMessage,
} from './options.js';
export { printDevCredentials, runFromConfig } from './run.js';
export type {
  CancelHandler,
  RunCancel,
  RunCancels,
} from './runs/cancel.js';
export type { AgUiRunContext, AgUiRunHandler } from './sse/routes.js';
export type { StreamFormat } from './sse/socket.js';
export { signWebhook, verifyWebhook } from './upstream/signature.js';
export type { WebhookOptions } from './upstream/webhook.js';
