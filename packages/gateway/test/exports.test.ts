import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { it } from 'node:test';
import * as gateway from '@agentwire/gateway';

it('pins the public API surface of @agentwire/gateway', () => {
  assert.deepEqual(Object.keys(gateway).sort(), [
    'ConfigError',
    'DEFAULT_HISTORY',
    'DEFAULT_LIMITS',
    'EngineUnavailableError',
    'Gateway',
    'MemoryEngine',
    'MessageError',
    'MissingPeerError',
    'PublishError',
    'RedisEngine',
    'RunCancelledError',
    'RunEmitter',
    'UserEmitter',
    'WebhookSignatureError',
    'createGateway',
    'loadConfig',
    'printDevCredentials',
    'runFromConfig',
    'signWebhook',
    'verifyWebhook',
  ]);
});

it('does not resolve deep imports into the package internals', async () => {
  for (const deep of [
    '@agentwire/gateway/dist/ws/manager.js',
    '@agentwire/gateway/src/ws/manager.ts',
    '@agentwire/gateway/dist/gateway.js',
  ]) {
    await assert.rejects(import(deep), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
    assert.throws(() => createRequire(import.meta.url).resolve(deep), {
      code: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  }
});

it('has no API that sends without a user scope', () => {
  const methods = Object.getOwnPropertyNames(gateway.Gateway.prototype).filter(
    (name) => !name.startsWith('on') && name !== 'constructor',
  );
  for (const name of methods) {
    assert.doesNotMatch(name, /broadcast|sendTo|emitAll|toConnection|publishAll/i);
  }
  assert.ok(methods.includes('forUser'));
});
