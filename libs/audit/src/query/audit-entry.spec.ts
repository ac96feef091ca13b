import { describe, expect, it } from 'vitest';
import { auditChanges } from './audit-entry.js';

describe('auditChanges', () => {
  it('names the keys that differ, an absent key as null, and nothing when before and after agree', () => {
    expect(auditChanges({ a: 1, b: { x: [1] }, c: 'same' }, { a: 2, b: { x: [1] }, c: 'same', d: null, e: false })).toEqual({
      a: { from: 1, to: 2 },
      e: { from: null, to: false },
    });
    expect(auditChanges(null, { a: 1 })).toEqual({ a: { from: null, to: 1 } });
    expect(auditChanges({ a: { x: 1 } }, { a: { x: 2 } })).toEqual({ a: { from: { x: 1 }, to: { x: 2 } } });
    expect(auditChanges(null, null)).toEqual({});
  });
});
