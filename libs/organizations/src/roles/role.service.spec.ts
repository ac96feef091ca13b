import { describe, expect, it } from 'vitest';
import { slugify } from './role.service.js';

describe('slugify', () => {
  it('turns a role name into a slug', () => {
    expect(slugify('Support Agent')).toBe('support-agent');
    expect(slugify('  Café Crew!! ')).toBe('cafe-crew');
    expect(slugify('A')).toBe('role-a');
    expect(slugify('***')).toBe('role-x');
    expect(slugify(`${'long '.repeat(20)}`)).toMatch(/^[a-z0-9-]{2,48}$/);
    expect(slugify(`${'long '.repeat(20)}`).endsWith('-')).toBe(false);
  });
});
