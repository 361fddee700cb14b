export {
  BEARER_PROTOCOL_PREFIX,
  CloseCode,
  ErrorCode,
  FINAL_CLOSE_CODES,
  ResyncReason,
  SUBPROTOCOL,
} from './codes.js';
export { expandDeltas } from './deltas.js';
export { DEFAULT_MAX_JSON_DEPTH, nestingError } from './depth.js';
export {
  type AgentEvent,
  BUILTIN_EVENT_TYPES,
  type BuiltinEventType,
  type CustomEventType,
  type EventData,
  EventDataSchemas,
  EventEnvelopeSchema,
  type EventInput,
  type EventType,
  isBuiltinEventType,
  isCustomEventType,
  LIFECYCLE_EVENT_TYPES,
  type SequencedEvent,
} from './events.js';
export type {
  AckFrame,
  BatchPublishItemResult,
  BatchPublishRequest,
  BatchPublishResponse,
  ClientFrame,
  ClientFrameType,
  DeltasFrame,
  ErrorFrame,
  EventFrame,
  HttpErrorBody,
  MessageFrame,
  PingFrame,
  PongFrame,
  PublishRequest,
  PublishResult,
  RefreshFrame,
  ResyncFrame,
  ServerFrame,
  TicketResponse,
  WelcomeFrame,
} from './frames.js';
export { ClientFrameSchemas } from './frames.js';
export {
  isStreamPosition,
  readResumeQuery,
  type StreamPosition,
  UpgradeQuery,
  writeResumeQuery,
} from './resume.js';
export {
  isRfc3339,
  parseClientFrame,
  type Validated,
  type ValidationError,
  validateClientFrame,
  validateEvent,
} from './validate.js';
export {
  WEBHOOK,
  type WebhookCancelPayload,
  type WebhookMessagePayload,
  type WebhookRefusalBody,
} from './webhook.js';
