import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { it } from 'node:test';
import * as protocol from '@agentwire/protocol';

it('pins the public API surface of @agentwire/protocol', () => {
  assert.deepEqual(Object.keys(protocol).sort(), [
    'AG_UI_CANCELLED_CODE',
    'AG_UI_MAPPING',
    'AG_UI_PASSTHROUGH',
    'AG_UI_STEP_FINISHED',
    'AG_UI_STEP_STARTED',
    'AgUiDecoder',
    'AgUiEncoder',
    'AgUiEventType',
    'BEARER_PROTOCOL_PREFIX',
    'BUILTIN_EVENT_TYPES',
    'ClientFrameSchemas',
    'CloseCode',
    'DEFAULT_MAX_JSON_DEPTH',
    'ErrorCode',
    'EventDataSchemas',
    'EventEnvelopeSchema',
    'FINAL_CLOSE_CODES',
    'LIFECYCLE_EVENT_TYPES',
    'ResyncReason',
    'RunAgentInputSchema',
    'SUBPROTOCOL',
    'TERMINAL_EVENT_TYPES',
    'UpgradeQuery',
    'WEBHOOK',
    'cancelEventId',
    'expandDeltas',
    'isBuiltinEventType',
    'isCustomEventType',
    'isRfc3339',
    'isStreamPosition',
    'isTerminalEventType',
    'nestingError',
    'parseClientFrame',
    'readResumeQuery',
    'validateClientFrame',
    'validateEvent',
    'validateRunAgentInput',
    'writeResumeQuery',
  ]);
});

it('does not resolve deep imports into the package', async () => {
  for (const deep of ['@agentwire/protocol/dist/codes.js', '@agentwire/protocol/src/codes.ts']) {
    await assert.rejects(import(deep), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
    assert.throws(() => createRequire(import.meta.url).resolve(deep), {
      code: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  }
});
