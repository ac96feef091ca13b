import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { isUuid, notFound, type Page, pageOffset, type RequestContext, TenantRepository, toPage } from '@atrium/platform';
import { Membership, Role } from '@atrium/organizations';
import { User } from '../users/user.entity.js';
import type { MemberView } from './dto/member.dto.js';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads members of the current organization: the account, its membership here and its role. */
@Injectable()
export class MemberDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async list(
    ctx: RequestContext,
    query: { page: number; limit: number; search?: string; status?: 'active' | 'revoked' | 'all' },
  ): Promise<Page<MemberView>> {
    const qb = this.base(ctx);
    const status = query.status ?? 'active';
    if (status !== 'all') qb.andWhere('m.status = :status', { status });
    if (query.search) {
      qb.andWhere(
        `(u.email ILIKE :q OR u.first_name ILIKE :q OR u.last_name ILIKE :q OR concat_ws(' ', u.first_name, u.last_name) ILIKE :q)`,
        { q: `%${escapeLike(query.search)}%` },
      );
    }
    const [rows, total] = await qb
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .offset(pageOffset(query))
      .limit(query.limit)
      .getManyAndCount();
    return toPage(rows.map(toView), total, query);
  }

  /** A member of this organization (active or revoked); anyone else, including another organization's member, is a 404. */
  async get(ctx: RequestContext, userId: string, em: EntityManager = this.dataSource.manager): Promise<MemberView> {
    if (!isUuid(userId)) throw notFound('User');
    const row = await this.base(ctx, em).andWhere('m.user_id = :userId', { userId }).getOne();
    if (!row) throw notFound('User');
    return toView(row);
  }

  private base(ctx: RequestContext, em: EntityManager = this.dataSource.manager): SelectQueryBuilder<Membership> {
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
