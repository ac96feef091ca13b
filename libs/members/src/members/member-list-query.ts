import type { MembershipStatus } from '@atrium/organizations';
import { type Page, pageOffset, PreparedQuery, type StatementPool, toPage } from '@atrium/platform';
import { PROFILE_JSON, profileFromJson } from '@atrium/access';
import type { MemberListing } from './dto/member.dto.js';

export interface MemberListFilter {
  page: number;
  limit: number;
  search?: string;
  status?: 'active' | 'revoked' | 'all';
}

interface Row {
  profile: string;
  total: number;
  membership_id: string | null;
  organization_id: string;
  membership_status: MembershipStatus;
  joined_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
  role_id: string;
  role_name: string;
  role_slug: string;
}

const SEARCH = `(u.email ILIKE $5 OR u.first_name ILIKE $5 OR u.last_name ILIKE $5 OR concat_ws(' ', u.first_name, u.last_name) ILIKE $5)`;

/**
 * The page and the total in one round trip. The total comes from the memberships index alone unless a
 * search needs the accounts; the page walks ix_memberships_org_status_created in order and stops after
 * offset + limit. Left-joining the page onto the total keeps the total when the page is past the end.
 * A column shown here must also move the directory version (see the directory-version migrations' triggers).
 */
function listSql(byStatus: boolean, search: boolean): string {
  const where = ['m.organization_id = $1', byStatus ? 'm.status = $2' : '$2::text IS NULL', ...(search ? [SEARCH] : [])].join(' AND ');
  return `
    WITH total AS (
      SELECT count(*)::int AS total FROM memberships m ${search ? 'JOIN users u ON u.id = m.user_id' : ''} WHERE ${where}
    ), page AS (
      SELECT m.id AS membership_id, m.organization_id, m.status AS membership_status, m.created_at AS joined_at,
             m.last_used_at, m.revoked_at, m.revoke_reason, r.id AS role_id, r.name AS role_name, r.slug AS role_slug,
             ${PROFILE_JSON}
        FROM memberships m
        JOIN users u ON u.id = m.user_id
        JOIN roles r ON r.id = m.role_id
       WHERE ${where}
       ORDER BY m.created_at, m.id
       LIMIT $3 OFFSET $4
    )
    SELECT total.total, page.* FROM total LEFT JOIN page ON true ORDER BY page.joined_at, page.membership_id`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lists one organization's members: the hot admin read, kept off TypeORM's query builder and hydration. */
export class MemberListQuery {
  private readonly statements = new Map<string, PreparedQuery<Row>>();

  constructor(private readonly pool: StatementPool) {}

  async run(organizationId: string, filter: MemberListFilter): Promise<Page<MemberListing>> {
    const status = filter.status ?? 'active';
    const byStatus = status !== 'all';
    const search = filter.search ? `%${escapeLike(filter.search)}%` : undefined;
    const values: unknown[] = [organizationId, byStatus ? status : null, filter.limit, pageOffset(filter)];
    if (search) values.push(search);
    const rows = await this.statement(byStatus, Boolean(search)).rows(values);
    const total = rows[0]?.total ?? 0;
    return toPage(rows.filter((r) => r.membership_id !== null).map(toListing), total, filter);
  }

  private statement(byStatus: boolean, search: boolean): PreparedQuery<Row> {
    const name = `atrium_member_list_${byStatus ? 'status' : 'all'}${search ? '_search' : ''}`;
    let statement = this.statements.get(name);
    if (!statement) this.statements.set(name, (statement = new PreparedQuery(this.pool, name, listSql(byStatus, search))));
    return statement;
  }
}

function toListing(r: Row): MemberListing {
  return {
    user: profileFromJson(r.profile),
    role: { id: r.role_id, name: r.role_name, slug: r.role_slug },
    membership: {
      id: r.membership_id!,
      organizationId: r.organization_id,
      status: r.membership_status,
      createdAt: r.joined_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
      revokeReason: r.revoke_reason,
    },
  };
}
