import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUuid, notFound, type Page, type RequestContext, StatementPool, type TenantQuery, TenantRepository } from '@atrium/platform';
import { Membership, Role } from '@atrium/organizations';
import { User } from '@atrium/accounts';
import type { MemberListing, MemberView } from './dto/member.dto.js';
import { type MemberListFilter, MemberListQuery } from './member-list-query.js';

/** Reads members of the current organization: the account, its membership here and its role. */
@Injectable()
export class MemberDirectory {
  private readonly listing: MemberListQuery;

  constructor(
    private readonly dataSource: DataSource,
    statements: StatementPool,
  ) {
    this.listing = new MemberListQuery(statements);
  }

  list(ctx: RequestContext, filter: MemberListFilter): Promise<Page<MemberListing>> {
    return this.listing.run(ctx.requireOrganizationId(), filter);
  }

  /** A member of this organization (active or revoked); anyone else, including another organization's member, is a 404. */
  async get(ctx: RequestContext, userId: string, em: EntityManager = this.dataSource.manager): Promise<MemberView> {
    if (!isUuid(userId)) throw notFound('User');
    const row = await this.base(ctx, em).andWhere('m.user_id = :userId', { userId }).getOne();
    if (!row) throw notFound('User');
    return toView(row);
  }

  private base(ctx: RequestContext, em: EntityManager = this.dataSource.manager): TenantQuery<Membership> {
    return TenantRepository.for(em, Membership, 'Membership')
      .query(ctx, 'm')
      .innerJoinAndMapOne('m.user', User, 'u', 'u.id = m.user_id')
      .innerJoinAndMapOne('m.role', Role, 'r', 'r.id = m.role_id');
  }
}

function toView(m: Membership): MemberView {
  const { user, role } = m as Membership & { user: User; role: Role };
  return { membership: m, user, role };
}
