import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { AI_SDK_MAPPING } from '@agentwire/ai-sdk';

it('docs/ai-sdk.md shows AI_SDK_MAPPING row for row', () => {
  const doc = readFileSync(new URL('../../../docs/ai-sdk.md', import.meta.url), 'utf8');
  for (const row of AI_SDK_MAPPING) {
    assert.ok(
      doc.includes(`| \`${row.chunk}\` | \`${row.event}\` |`),
      `docs/ai-sdk.md lacks ${row.chunk}`,
    );
  }
});
