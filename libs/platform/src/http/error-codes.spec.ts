import { describe, expect, it } from 'vitest';
import { DomainError, notFound } from './domain-error.js';
import { defineErrors } from './error-codes.js';

describe('defineErrors', () => {
  it('builds domain errors with the code, kind and default or given message', () => {
    const E = defineErrors('spec-a', { spec_thing_missing: { kind: 'not_found', message: 'No such thing' } });
    const e = E.spec_thing_missing();
    expect(e).toBeInstanceOf(DomainError);
    expect([e.kind, e.code, e.message]).toEqual(['not_found', 'spec_thing_missing', 'No such thing']);
    expect(E.spec_thing_missing('Thing 7 is missing', [{ field: 'id' }]).message).toBe('Thing 7 is missing');
  });

  it('refuses a code another module already defined, or the same code with another kind', () => {
    defineErrors('spec-b', { spec_taken: { kind: 'conflict', message: 'Taken' } });
    expect(() => defineErrors('spec-c', { spec_taken: { kind: 'conflict', message: 'Taken' } })).toThrow(/already defined by spec-b/);
    expect(() => defineErrors('spec-b', { spec_taken: { kind: 'bad_request', message: 'Taken' } })).toThrow(/already defined/);
  });
});

describe('notFound', () => {
  it('answers a snake-case code for any resource label', () => {
    expect([notFound('Add-on').code, notFound('Webhook event').code, notFound('API key').code]).toEqual([
      'add_on_not_found',
      'webhook_event_not_found',
      'api_key_not_found',
    ]);
    expect(notFound('Add-on').kind).toBe('not_found');
  });
});
