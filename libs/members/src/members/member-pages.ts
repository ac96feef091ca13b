import { Injectable } from '@nestjs/common';
import type { Page, RequestContext } from '@atrium/platform';
import { MemberDto } from './dto/member.dto.js';
import { type MemberListFilter } from './member-list-query.js';
import { MemberDirectory } from './member-directory.js';

/** At most this many members' rows are kept across all cached pages of this instance (a few MB). */
const MAX_CACHED_MEMBERS = 20_000;

/** At most this many pages however small: one-member search results must not grow the cache without bound either. */
export const MAX_CACHED_PAGES = 2_000;

/**
 * A page is served for at most this long. `last_used_at`, which every sign-in touches, does not move the directory
 * version (that would empty every instance's cache on each login), so it may show up to this late.
 */
const MAX_AGE_MS = 60_000;

interface Entry {
  version: string;
  builtAt: number;
  page: Page<MemberDto>;
}

/**
 * Member-list pages as this instance last built them, each tagged with the organization's directory
 * version it was built at. A page is served again only when the version the credential check read for
 * this very request is the same, i.e. nothing the list shows has changed since (triggers bump the
 * version in the changing transaction), so every instance answers what the database holds now — except
 * a member's `last_used_at`, up to a minute late. Bounded by pages and by members, least recently used
 * out first. Whether the caller may see the list at all is decided by the guard before, on every request.
 */
@Injectable()
export class MemberPages {
  private readonly pages = new Map<string, Entry>();
  private cachedMembers = 0;

  constructor(private readonly directory: MemberDirectory) {}

  async list(ctx: RequestContext, filter: MemberListFilter): Promise<Page<MemberDto>> {
    const version = ctx.meta.read?.directoryVersion;
    const key = [ctx.requireOrganizationId(), filter.status ?? 'active', filter.page, filter.limit, filter.search ?? ''].join('\n');
    const hit = this.pages.get(key);
    if (hit && version !== undefined && hit.version === version && Date.now() - hit.builtAt < MAX_AGE_MS) {
      // Most recently used last: a Map iterates in insertion order, so eviction takes the least recently used.
      this.pages.delete(key);
      this.pages.set(key, hit);
      return hit.page;
    }
    // A page built at another version (or too long ago) is never served again: drop it now, not when evicted.
    if (hit) this.forget(key);
    const builtAt = Date.now();
    const built = await this.directory.list(ctx, filter);
    const page = { ...built, data: built.data.map((v) => MemberDto.fromView(v)) };
    // An empty page costs a query to rebuild and nothing to show: keeping it would let searches fill the cache.
    if (version !== undefined && page.data.length) this.keep(key, { version, builtAt, page });
    return page;
  }

  /** How much this instance keeps, for tests and diagnostics. */
  size(): { pages: number; members: number } {
    return { pages: this.pages.size, members: this.cachedMembers };
  }

  private keep(key: string, entry: Entry): void {
    this.forget(key);
    this.pages.set(key, entry);
    this.cachedMembers += entry.page.data.length;
    for (const oldest of this.pages.keys()) {
      if (this.cachedMembers <= MAX_CACHED_MEMBERS && this.pages.size <= MAX_CACHED_PAGES) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.pages.get(key);
    if (!entry) return;
    this.pages.delete(key);
    this.cachedMembers -= entry.page.data.length;
  }
}
