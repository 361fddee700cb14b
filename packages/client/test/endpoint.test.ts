import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readResumeQuery } from '@agentwire/protocol';
import { toWebSocketUrl, upgradeRequest } from '../src/endpoint.js';
import type { StreamPosition } from '../src/position.js';

describe('the upgrade request', () => {
  const endpoint = toWebSocketUrl('http://127.0.0.1:9/ws');

  it('turns http(s) into ws(s) and refuses other schemes', () => {
    assert.equal(endpoint.href, 'ws://127.0.0.1:9/ws');
    assert.equal(toWebSocketUrl('https://gw.example.com/ws').protocol, 'wss:');
    assert.throws(() => toWebSocketUrl('ftp://gw.example.com/ws'), /ws\(s\):\/\/ or http\(s\)/);
  });

  it('puts a JWT in the bearer subprotocol entry, never in the URL', () => {
    const request = upgradeRequest(endpoint, { token: 'a.b.c' }, undefined);
    assert.deepEqual(request, {
      url: 'ws://127.0.0.1:9/ws',
      protocols: ['agentwire.v1', 'bearer.a.b.c'],
    });
  });

  it('puts a ticket and the resume position in the query', () => {
    const saved: StreamPosition = { userId: 'alice', epoch: 'e1', seq: 9 };
    const request = upgradeRequest(endpoint, { ticket: 'tk' }, saved);
    assert.deepEqual(request.protocols, ['agentwire.v1']);
    const query = new URL(request.url).searchParams;
    assert.equal(query.get('ticket'), 'tk');
    assert.deepEqual(readResumeQuery(query), { ok: true, value: { epoch: 'e1', seq: 9 } });
    assert.equal(query.has('userId'), false, 'the user comes from the credentials only');
  });
});
