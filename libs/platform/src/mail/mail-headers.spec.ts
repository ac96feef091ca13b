import { describe, expect, it } from 'vitest';
import { assertSafeHeaders } from './mail-headers.js';

describe('assertSafeHeaders', () => {
  it('accepts the one-click unsubscribe headers, and no headers at all', () => {
    expect(() =>
      assertSafeHeaders({ 'List-Unsubscribe': '<https://atrium.test/u?t=abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
    ).not.toThrow();
    expect(() => assertSafeHeaders(undefined)).not.toThrow();
  });

  it.each([
    [{ 'X-Note': 'a\r\nBcc: eve@example.test' }, /line break/],
    [{ 'X-Note': 'a\rb' }, /line break/],
    [{ 'X-Note': 'a\u0000b' }, /control character/],
    [{ 'X-Note\nBcc': 'eve@example.test' }, /not a header name/],
    [{ 'X Note': 'a' }, /not a header name/],
    [{ 'X-Note:': 'a' }, /not a header name/],
    [{ BCC: 'eve@example.test' }, /set by the mail transport/],
    [{ 'Message-ID': '<x@y>' }, /set by the mail transport/],
    [{ 'X-Note': 42 as unknown as string }, /not a string/],
  ])('refuses %j', (headers, problem) => {
    expect(() => assertSafeHeaders(headers)).toThrow(problem);
  });
});
