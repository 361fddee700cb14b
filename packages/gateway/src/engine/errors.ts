/**
 * The engine could not answer in time (its store is unreachable, stalled or still connecting).
 * The gateway answers 503 `unavailable`; a publish that failed this way may or may not have been
 * appended (a command that timed out can still run), so a caller retries with the same event id.
 */
export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
  readonly code = 'GATEWAY_ERR_ENGINE_UNAVAILABLE';
}
