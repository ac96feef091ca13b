import { Injectable } from '@nestjs/common';
import type { Page, RequestContext } from '@atrium/platform';
import { MemberDto } from './dto/member.dto.js';
import { type MemberListFilter } from './member-list-query.js';
import { MemberDirectory } from './member-directory.js';

/** At most this many members' rows are kept across all cached pages of this instance (a few MB). */
const MAX_CACHED_MEMBERS = 20_000;

interface Entry {
  version: string;
  page: Page<MemberDto>;
}

/**
 * Member-list pages as this instance last built them, each tagged with the organization's directory
 * version it was built at. A page is served again only when the version the credential check read for
 * this very request is the same, i.e. nothing the list shows has changed since (triggers bump the
 * version in the changing transaction), so every instance answers what the database holds now.
 * Whether the caller may see the list at all is decided by the guard before, on every request.
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
    if (hit && version !== undefined && hit.version === version) return hit.page;
    const built = await this.directory.list(ctx, filter);
    const page = { ...built, data: built.data.map((v) => MemberDto.fromView(v)) };
    if (version !== undefined) this.keep(key, { version, page });
    return page;
  }

  private keep(key: string, entry: Entry): void {
    this.forget(key);
    this.pages.set(key, entry);
    this.cachedMembers += entry.page.data.length;
    // Oldest first: a Map iterates in insertion order.
    for (const oldest of this.pages.keys()) {
      if (this.cachedMembers <= MAX_CACHED_MEMBERS) break;
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
