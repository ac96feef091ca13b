import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AuditLog } from '@atrium/audit';
import { DataExportRegistry } from '@atrium/platform';
import { ApiKey } from '@atrium/access';
import { MfaBackupCode } from '@atrium/access';
import { UserMfa } from '@atrium/access';

const PAGE = 500;

/**
 * Export sections for account data that existed before the registry: two-factor status (never the secret
 * or codes), API keys acting for the user (created or last rotated by them; never the keys), and the user's
 * own actions in the audit trail (without before/after, which describe other people's records).
 */
@Injectable()
export class AccountExportSections implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: DataExportRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({ key: 'mfa', collect: (userId) => this.mfa(userId) });
    this.registry.register({ key: 'api_keys', collect: (userId) => this.apiKeys(userId) });
    this.registry.register({ key: 'audit_trail', collect: (userId) => this.auditTrail(userId) });
  }

  private async mfa(userId: string): Promise<unknown> {
    const factor = await this.dataSource.getRepository(UserMfa).findOne({ where: { userId } });
    const unused = await this.dataSource.getRepository(MfaBackupCode).count({ where: { userId, usedAt: IsNull() } });
    return {
      enabled: Boolean(factor?.enabledAt),
      enabled_at: factor?.enabledAt?.toISOString() ?? null,
      backup_codes_remaining: factor?.enabledAt ? unused : 0,
    };
  }

  private async apiKeys(userId: string): Promise<unknown[]> {
    const keys = await this.dataSource.getRepository(ApiKey).find({ where: { createdBy: userId }, order: { createdAt: 'ASC' } });
    return keys.map((k) => ({
      id: k.id,
      organization_id: k.organizationId,
      name: k.name,
      prefix: k.prefix,
      permissions: k.permissions,
      created_at: k.createdAt.toISOString(),
      expires_at: k.expiresAt?.toISOString() ?? null,
      last_used_at: k.lastUsedAt?.toISOString() ?? null,
      revoked_at: k.revokedAt?.toISOString() ?? null,
    }));
  }

  private async *auditTrail(userId: string): AsyncGenerator<unknown> {
    // The cursor is read back from the row: a JS Date would drop PostgreSQL's microseconds.
    for (let after: AuditLog | undefined; ;) {
      const qb = this.dataSource.getRepository(AuditLog).createQueryBuilder('a').where('a.actor_user_id = :userId', { userId });
      if (after) qb.andWhere(`(a.created_at, a.id) > (SELECT c.created_at, c.id FROM audit_logs c WHERE c.id = :id)`, { id: after.id });
      const rows = await qb.orderBy('a.created_at', 'ASC').addOrderBy('a.id', 'ASC').limit(PAGE).getMany();
      for (const a of rows) {
        yield {
          id: a.id,
          organization_id: a.organizationId,
          action: a.action,
          resource_type: a.resourceType,
          resource_id: a.resourceId,
          ip: a.ip,
          user_agent: a.userAgent,
          created_at: a.createdAt.toISOString(),
        };
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1];
    }
  }
}
