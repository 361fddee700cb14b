export {
  AG_UI_CANCELLED_CODE,
  AG_UI_MAPPING,
  AG_UI_PASSTHROUGH,
  AG_UI_STEP_FINISHED,
  AG_UI_STEP_STARTED,
  AgUiDecoder,
  AgUiEncoder,
  type AgUiEvent,
  AgUiEventType,
  type DecodedEvent,
  type RunAgentInput,
  RunAgentInputSchema,
} from './ag-ui.js';
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
  cancelEventId,
  type EventData,
  EventDataSchemas,
  EventEnvelopeSchema,
  type EventInput,
  type EventType,
  isBuiltinEventType,
  isCustomEventType,
  isTerminalEventType,
  LIFECYCLE_EVENT_TYPES,
  type SequencedEvent,
  TERMINAL_EVENT_TYPES,
} from './events.js';
export type {
  AckFrame,
  BatchPublishItemResult,
  BatchPublishRequest,
  BatchPublishResponse,
  CancelFrame,
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
  validateRunAgentInput,
} from './validate.js';
export {
  WEBHOOK,
  type WebhookCancelPayload,
  type WebhookMessagePayload,
  type WebhookRefusalBody,
} from './webhook.js';
