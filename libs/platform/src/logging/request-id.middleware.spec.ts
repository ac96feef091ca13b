import { describe, expect, it } from 'vitest';
import { loggedPath } from './request-id.middleware.js';

const req = (originalUrl: string, route?: string, baseUrl = '') => ({ originalUrl, baseUrl, route: route && { path: route } });

describe('the access line path', () => {
  it('is the matched route template, without the query', () => {
    expect(loggedPath(req('/api/v1/invitations/token/abc?x=1', '/api/v1/invitations/token/:token'))).toBe(
      '/api/v1/invitations/token/:token',
    );
    expect(loggedPath(req('/api/v1/users/me', '/users/me', '/api/v1'))).toBe('/api/v1/users/me');
  });

  it('redacts token-like segments when nothing (or only a catch-all) matched, and keeps ids and words', () => {
    const token = 'Zr3vQ0x9_hTq-8VkLw2mNc4pB7sYd1eGfJaKuXoHi5E';
    expect(loggedPath(req(`/api/v1/invitations/accept/${token}?token=${token}`, '/api/v1*path'))).toBe(
      '/api/v1/invitations/accept/[redacted]',
    );
    expect(loggedPath(req('/api/v1/users/0b9c2f3e-4a5d-4e6f-8a7b-9c0d1e2f3a4b/sessions/12'))).toBe(
      '/api/v1/users/0b9c2f3e-4a5d-4e6f-8a7b-9c0d1e2f3a4b/sessions/12',
    );
    expect(loggedPath(req('/api/v1/organizations/me/download-data'))).toBe('/api/v1/organizations/me/download-data');
    expect(loggedPath(req('/x/ak_live_7Hq2Lm9p/y'))).toBe('/x/[redacted]/y');
  });
});
