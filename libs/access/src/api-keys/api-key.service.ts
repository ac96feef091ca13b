import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, IsNull, MoreThan, Raw } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { Entitlements, Outbox, type Page, PlatformError, type RequestContext, TenantRepository, UsageRegistry } from '@atrium/platform';
import { API_KEY_CREATED, type ApiKeyCreatedPayload } from './api-key-events.js';
import { newApiKey } from './api-key-format.js';
import { ApiKey } from './api-key.entity.js';
import type { CreateApiKeyDto } from './dto/api-key.dto.js';
import { AccessError } from '../access.errors.js';
import { assertHeld } from '@atrium/organizations';

const snapshot = (k: ApiKey) => ({
  name: k.name,
  prefix: k.prefix,
  permissions: k.permissions,
  created_by: k.createdBy,
  expires_at: k.expiresAt,
  revoked_at: k.revokedAt,
});

/** Keys that can still authenticate: they count towards the package's API key limit. */
const usable = () => [
  { revokedAt: IsNull(), expiresAt: IsNull() },
  { revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
];

/** The package limit and usage meter of usable API keys. */
export const API_KEYS_METER = 'api_keys';

/**
 * Creates, lists, rotates and revokes the organization's API keys, within the package's key limit. The grant rule
 * of roles applies (`assertHeld`): nobody gives a key, receives its secret or manages it while it holds a permission
 * they do not hold (else an admin could rotate the owner's key and act as the owner).
 */
@Injectable()
export class ApiKeyService implements OnModuleInit {
  private readonly keys: TenantRepository<ApiKey>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditWriter,
    private readonly entitlements: Entitlements,
    private readonly usage: UsageRegistry,
    private readonly outbox: Outbox,
  ) {
    this.keys = TenantRepository.for(dataSource, ApiKey, 'API key');
  }

  onModuleInit(): void {
    this.usage.register({ resource: API_KEYS_METER, measure: (ctx, em) => this.keys.with(em).count(ctx, usable()) });
  }

  /** The key is returned in clear here only. Its permissions must be ones the creator holds. */
  async create(ctx: RequestContext, dto: CreateApiKeyDto): Promise<{ apiKey: ApiKey; key: string }> {
    // Keys are made and changed by people: a key cannot mint or rotate keys (that would outlive its own revocation).
    const creatorId = ctx.requireUserId();
    const permissions = [...new Set(dto.permissions ?? [...ctx.permissions])].sort();
    assertHeld(ctx, permissions, 'A key cannot have');
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt <= new Date()) {
      throw PlatformError.validation_failed('expires_at must be in the future', [
        { field: 'expires_at', problems: ['expires_at must be in the future'] },
      ]);
    }
    const { key, prefix, keyHash } = newApiKey();
    const apiKey = await this.dataSource.transaction(async (em) => {
      await this.entitlements.assertWithinLimit(ctx, API_KEYS_METER, 1, em);
      const saved = await this.keys.with(em).create(ctx, { name: dto.name, prefix, keyHash, permissions, createdBy: creatorId, expiresAt });
      await this.audit.record(em, ctx, {
        action: 'api_key.created',
        resourceType: 'api_key',
        resourceId: saved.id,
        target: saved.name,
        after: snapshot(saved),
      });
      this.outbox.add(em, {
        name: API_KEY_CREATED,
        organizationId: ctx.organizationId,
        actorId: creatorId,
        payload: { api_key_id: saved.id, name: saved.name, created_by: creatorId } satisfies ApiKeyCreatedPayload,
        requestId: ctx.requestId,
      });
      return saved;
    });
    return { apiKey, key };
  }

  /** The keys the caller may manage: those holding no permission the caller lacks (the others are not shown). */
  list(ctx: RequestContext, query: { page: number; limit: number }): Promise<Page<ApiKey>> {
    const held = [...ctx.permissions];
    return this.keys.findPage(ctx, query, { permissions: Raw((column) => `${column} <@ :held::text[]`, { held }) });
  }

  /**
   * A new secret for the same key: the old one stops working at once. Whoever receives the secret is who the
   * key acts for from now on (`created_by` becomes the rotator), so it is capped by their role, not by the
   * previous holder's; the key may hold only permissions the rotator holds (else 403 `permission_not_held`).
   */
  async rotate(ctx: RequestContext, id: string): Promise<{ apiKey: ApiKey; key: string }> {
    const rotatorId = ctx.requireUserId();
    return this.dataSource.transaction(async (em) => {
      const repo = this.keys.with(em);
      const apiKey = await repo.getById(ctx, id);
      assertHeld(ctx, apiKey.permissions, 'This key has');
      if (apiKey.revokedAt) throw AccessError.api_key_already_revoked();
      if (apiKey.expiresAt && apiKey.expiresAt <= new Date()) throw AccessError.api_key_already_expired();
      const { key, prefix, keyHash } = newApiKey();
      const before = snapshot(apiKey);
      Object.assign(apiKey, { prefix, keyHash, rotatedAt: new Date(), createdBy: rotatorId });
      const saved = await repo.save(ctx, apiKey);
      await this.audit.record(em, ctx, {
        action: 'api_key.rotated',
        resourceType: 'api_key',
        resourceId: id,
        target: saved.name,
        before,
        after: snapshot(saved),
      });
      return { apiKey: saved, key };
    });
  }

  /** Ends the key for good; revoking again changes nothing. Only for keys within the caller's permissions. */
  async revoke(ctx: RequestContext, id: string): Promise<ApiKey> {
    ctx.requireUserId();
    return this.dataSource.transaction(async (em) => {
      const repo = this.keys.with(em);
      const apiKey = await repo.getById(ctx, id);
      assertHeld(ctx, apiKey.permissions, 'This key has');
      if (apiKey.revokedAt) return apiKey;
      const before = snapshot(apiKey);
      apiKey.revokedAt = new Date();
      const saved = await repo.save(ctx, apiKey);
      await this.audit.record(em, ctx, {
        action: 'api_key.revoked',
        resourceType: 'api_key',
        resourceId: id,
        target: saved.name,
        before,
        after: snapshot(saved),
      });
      return saved;
    });
  }

  /** The key making this request. */
  async current(ctx: RequestContext): Promise<ApiKey> {
    if (ctx.meta.authMethod !== 'api_key' || !ctx.meta.apiKeyId) {
      throw AccessError.not_an_api_key();
    }
    return this.keys.getById(ctx, ctx.meta.apiKeyId);
  }
}
