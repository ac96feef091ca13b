import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Page, RequestContext, toPage } from '@atrium/platform';
import type { MemberListing } from './dto/member.dto.js';
import type { MemberDirectory } from './member-directory.js';
import type { MemberListFilter } from './member-list-query.js';
import { MAX_CACHED_PAGES, MemberPages } from './member-pages.js';

const ORG = randomUUID();

function listing(n: number): MemberListing {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    user: {
      id: randomUUID(),
      email: `m${n}@example.test`,
      pendingEmail: null,
      firstName: 'M',
      lastName: String(n),
      phone: null,
      avatarUrl: null,
      emailVerifiedAt: null,
      status: 'active',
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    },
    role: { id: randomUUID(), name: 'Member', slug: 'member' },
    membership: {
      id: randomUUID(),
      organizationId: ORG,
      status: 'active',
      createdAt: at,
      lastUsedAt: null,
      revokedAt: null,
      revokeReason: null,
    },
  };
}

/** A directory answering `rows` members for any filter (none for a search), counting the queries it answers. */
function fakeDirectory(rows: () => number) {
  const calls: MemberListFilter[] = [];
  const directory = {
    list: async (_ctx: RequestContext, filter: MemberListFilter): Promise<Page<MemberListing>> => {
      calls.push(filter);
      const n = filter.search ? 0 : rows();
      return toPage(
        Array.from({ length: n }, (_, i) => listing(i)),
        n,
        filter,
      );
    },
  };
  return { directory: directory as unknown as MemberDirectory, calls };
}

function setup(rows: () => number = () => 1) {
  const { directory, calls } = fakeDirectory(rows);
  const pages = new MemberPages(directory);
  /** A request whose credential check read directory version `version`. */
  const ctxAt = (version: string) =>
    new RequestContext(randomUUID(), randomUUID(), ORG, ['users.view'], {
      authMethod: 'jwt',
      read: { profileJson: '{}', directoryVersion: version },
    });
  const list = (version: string, filter: Partial<MemberListFilter> = {}) => pages.list(ctxAt(version), { page: 1, limit: 10, ...filter });
  return { pages, calls, list };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MemberPages', () => {
  it('serves a page again while the directory version is unchanged, and rebuilds it when it moved', async () => {
    const { calls, list } = setup();
    await list('1');
    await list('1');
    expect(calls).toHaveLength(1);
    await list('2');
    expect(calls).toHaveLength(2);
  });

  it('keeps no empty page, so searches that match nobody cannot grow it', async () => {
    const { pages, calls, list } = setup();
    for (let i = 0; i < 5_000; i++) await list('1', { search: `nobody-${i}` });
    // The newest one would still be cached if empty pages were kept (the oldest would have been evicted anyway).
    await list('1', { search: 'nobody-4999' });
    expect(calls).toHaveLength(5_001);
    expect(pages.size()).toEqual({ pages: 0, members: 0 });
  });

  it('bounds the number of pages however small, dropping the least recently used first', async () => {
    const { pages, calls, list } = setup();
    for (let page = 1; page <= MAX_CACHED_PAGES; page++) await list('1', { page });
    await list('1', { page: 1 });
    expect(calls).toHaveLength(MAX_CACHED_PAGES);
    await list('1', { page: MAX_CACHED_PAGES + 1 });
    expect(pages.size().pages).toBe(MAX_CACHED_PAGES);
    await list('1', { page: 1 });
    expect(calls).toHaveLength(MAX_CACHED_PAGES + 1);
    await list('1', { page: 2 });
    expect(calls).toHaveLength(MAX_CACHED_PAGES + 2);
  });

  it('bounds the members kept across pages', async () => {
    const { pages, list } = setup(() => 100);
    for (let page = 1; page <= 300; page++) await list('1', { page, limit: 100 });
    expect(pages.size().members).toBeLessThanOrEqual(20_000);
    expect(pages.size().pages).toBe(200);
  });

  it('drops a page whose version moved, even when nothing replaces it', async () => {
    let rows = 3;
    const { pages, list } = setup(() => rows);
    await list('1');
    expect(pages.size()).toEqual({ pages: 1, members: 3 });
    rows = 0;
    expect((await list('2')).total).toBe(0);
    expect(pages.size()).toEqual({ pages: 0, members: 0 });
  });

  it('serves a page for at most a minute, so sign-ins (which leave the version alone) show up', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T12:00:00Z'), toFake: ['Date'] });
    const { calls, list } = setup();
    await list('1');
    vi.advanceTimersByTime(59_000);
    await list('1');
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(2_000);
    await list('1');
    expect(calls).toHaveLength(2);
  });
});
