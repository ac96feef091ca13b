import { describe, expect, it } from 'vitest';
import { sanitizeForAudit } from './sanitize.js';

describe('sanitizeForAudit', () => {
  it('redacts secrets at any depth and keeps the rest', () => {
    const out = sanitizeForAudit({
      email: 'a@b.co',
      passwordHash: '$argon2id$…',
      nested: { refresh_token: 'rt', webhook_secret: 'whsec', list: [{ api_key: 'ak', name: 'CI' }] },
      when: new Date('2026-01-02T03:04:05Z'),
    });
    expect(out).toEqual({
      email: 'a@b.co',
      passwordHash: '[redacted]',
      nested: { refresh_token: '[redacted]', webhook_secret: '[redacted]', list: [{ api_key: '[redacted]', name: 'CI' }] },
      when: '2026-01-02T03:04:05.000Z',
    });
  });

  it('never keeps a secret however deep it is nested', () => {
    let deep: Record<string, unknown> = { password: 'hunter2-deep', note: 'kept?' };
    for (let i = 0; i < 10; i++) deep = { level: i, child: deep, list: [deep] };
    const out = sanitizeForAudit({ before: deep });
    const text = JSON.stringify(out);
    expect(text).not.toContain('hunter2-deep');
    expect(text).toContain('[truncated]');
    // What is shallow enough stays as it was.
    expect(out).toMatchObject({ before: { level: 9, child: { level: 8 } } });
  });
});
