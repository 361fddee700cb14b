import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageError } from '@agentwire/gateway';
import { ErrorCode } from '@agentwire/protocol';
import { startGateway } from '@agentwire/testkit';
import { connectUser } from './helpers/harness.js';

describe('client frames', () => {
  it('answers ping with pong, echoing the id', async () => {
    const gw = await startGateway();
    const c = await connectUser(gw, 'p');
    c.send({ type: 'ping', id: 'abc' });
    c.send({ type: 'ping' });
    await c.until((f) => f.filter((x) => x.type === 'pong').length === 2);
    assert.deepEqual(c.frames.slice(1), [{ type: 'pong', id: 'abc' }, { type: 'pong' }]);
    await c.close();
    await gw.close();
  });

  it('hands upstream messages to the application handler with the verified user, and acks', async () => {
    const seen: unknown[] = [];
    const gw = await startGateway({
      onMessage: async (m) => {
        seen.push({ userId: m.userId, data: m.data });
        if ((m.data as { text?: string }).text === 'bad')
          throw new MessageError('text must not be bad');
        if ((m.data as { text?: string }).text === 'crash') throw new Error('internal detail');
        return { accepted: true };
      },
    });
    const c = await connectUser(gw, 'm');
    c.send({ type: 'message', id: 'm1', data: { text: 'hello' } });
    c.send({ type: 'message', id: 'm2', data: { text: 'bad' } });
    c.send({ type: 'message', id: 'm3', data: { text: 'crash' } });
    await c.until((f) => f.length === 4);
    const byId = new Map(c.frames.slice(1).map((f) => [(f as { id: string }).id, f]));
    assert.deepEqual(byId.get('m1'), { type: 'ack', id: 'm1', data: { accepted: true } });
    assert.deepEqual(byId.get('m2'), {
      type: 'error',
      code: ErrorCode.HandlerFailed,
      message: 'text must not be bad',
      id: 'm2',
    });
    const crash = byId.get('m3') as { message: string; code: string };
    assert.equal(crash.code, ErrorCode.HandlerFailed);
    assert.doesNotMatch(crash.message, /internal detail/, 'internal errors are not leaked');
    assert.deepEqual(seen[0], { userId: 'm', data: { text: 'hello' } });
    await c.close();
    await gw.close();
  });

  it('says so when no handler is registered', async () => {
    const gw = await startGateway();
    const c = await connectUser(gw, 'n');
    c.send({ type: 'message', id: 'x', data: 1 });
    await c.until((f) => f.length === 2);
    assert.equal((c.frames[1] as { code: string }).code, ErrorCode.NoHandler);
    await c.close();
    await gw.close();
  });

  it('refuses binary frames with an error and keeps the connection', async () => {
    const gw = await startGateway();
    const c = await connectUser(gw, 'b');
    c.ws.send(Buffer.from([1, 2, 3]));
    c.send({ type: 'ping', id: 'after' });
    await c.until((f) => f.some((x) => x.type === 'pong'));
    assert.equal(c.frames[1]?.type, 'error');
    await c.close();
    await gw.close();
  });
});
