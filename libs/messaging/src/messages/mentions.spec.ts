import { describe, expect, it } from 'vitest';
import { mentionedIds } from './mentions.js';

const A = '2f1c5f3e-1d2b-4c3a-9e8f-0a1b2c3d4e5f';
const B = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('mentionedIds', () => {
  it('finds each @<uuid> once, lower-cased, in order of first mention', () => {
    expect(mentionedIds(`hi @${B.toUpperCase()} and @${A}, again @${B}!`)).toEqual([B, A]);
  });

  it('ignores e-mail addresses, bare uuids and truncated tokens', () => {
    expect(mentionedIds(`mail me@example.com about ${A} or @${A.slice(0, 30)}`)).toEqual([]);
  });
});
