import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AcrossTenants, DataExportRegistry, notFound } from '@atrium/platform';
import { Membership, Organization, Role } from '@atrium/organizations';
import { sessionView } from '@atrium/access';
import { Session } from '@atrium/access';
import { UserDto } from '../users/dto/user.dto.js';
import { User } from '../users/user.entity.js';

/** Receives the document piece by piece; resolves when the piece may be followed by the next (backpressure). */
export type ChunkWriter = (chunk: string) => Promise<void>;

const PAGE = 500;

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';

/**
 * Everything the platform holds about a user, written as one JSON document section by section: profile,
 * memberships and sessions here, then every section registered in the DataExportRegistry. Never secrets.
 */
@Injectable()
export class DataExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: DataExportRegistry,
  ) {
    // Constructed before any module's onModuleInit, so these keys are taken before contributors register.
    registry.reserve('format', 'generated_at', 'profile', 'memberships', 'sessions');
  }

  /**
   * Loads the profile first, so an unknown user fails before anything is written. Across tenants (row-level
   * security): the person's own records in every organization, each section keyed by their account.
   */
  @AcrossTenants()
  async export(userId: string, write: ChunkWriter): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: userId } });
    if (!user) throw notFound('User');
    await write(`{"format":"atrium.user-data.v1","generated_at":${JSON.stringify(new Date().toISOString())}`);
    await this.section(write, 'profile', UserDto.from(user));
    await this.section(write, 'memberships', this.memberships(userId));
    await this.section(write, 'sessions', this.sessions(userId));
    for (const contributor of this.registry.contributors()) await this.section(write, contributor.key, contributor.collect(userId));
    await write('}\n');
  }

  private async section(write: ChunkWriter, key: string, value: unknown): Promise<void> {
    await write(`,${JSON.stringify(key)}:`);
    if (!isAsyncIterable(value)) {
      await write(JSON.stringify((await value) ?? null));
      return;
    }
    await write('[');
    let first = true;
    for await (const item of value) {
      await write((first ? '' : ',') + JSON.stringify(item));
      first = false;
    }
    await write(']');
  }

  /** Every membership, revoked ones too, across organizations. */
  private async memberships(userId: string): Promise<unknown[]> {
    const rows = await this.dataSource
      .getRepository(Membership)
      .createQueryBuilder('m')
      .innerJoinAndMapOne('m.organization', Organization, 'o', 'o.id = m.organization_id')
      .innerJoinAndMapOne('m.role', Role, 'r', 'r.id = m.role_id')
      .where('m.user_id = :userId', { userId })
      .orderBy('m.created_at', 'ASC')
      .getMany();
    return rows.map((m) => {
      const { organization: o, role: r } = m as Membership & { organization: Organization; role: Role };
      return {
        organization_id: o.id,
        organization_name: o.name,
        role: { name: r.name, slug: r.slug, permissions: [...r.permissions].sort() },
        status: m.status,
        joined_at: m.createdAt.toISOString(),
        last_used_at: m.lastUsedAt?.toISOString() ?? null,
        revoked_at: m.revokedAt?.toISOString() ?? null,
        revoke_reason: m.revokeReason,
      };
    });
  }

  /** Every session ever opened, ended ones too, a page at a time by keyset (never refresh-token hashes). */
  private async *sessions(userId: string): AsyncGenerator<unknown> {
    // The cursor is read back from the row: a JS Date would drop PostgreSQL's microseconds.
    for (let after: Session | undefined; ;) {
      const qb = this.dataSource.getRepository(Session).createQueryBuilder('s').where('s.user_id = :userId', { userId });
      if (after) qb.andWhere(`(s.created_at, s.id) > (SELECT c.created_at, c.id FROM sessions c WHERE c.id = :id)`, { id: after.id });
      const rows = await qb.orderBy('s.created_at', 'ASC').addOrderBy('s.id', 'ASC').limit(PAGE).getMany();
      for (const s of rows) {
        yield {
          ...sessionView(s),
          revoked_at: s.revokedAt?.toISOString() ?? null,
          revoke_reason: s.revokeReason,
        };
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1];
    }
  }
}
