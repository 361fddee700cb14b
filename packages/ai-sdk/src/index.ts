export {
  AI_SDK_EVENT,
  AI_SDK_MAPPING,
  ChunkDecoder,
  ChunkEncoder,
  type ChunkEvent,
} from './mapping.js';
export { type PublishOptions, publishUIMessageStream, type RunPublisher } from './publish.js';
export {
  AgentwireChatTransport,
  type AgentwireChatTransportOptions,
  type ChatMessageData,
  type ChatRun,
  type ChatRunStore,
  localStorageRuns,
  memoryRuns,
} from './transport.js';
