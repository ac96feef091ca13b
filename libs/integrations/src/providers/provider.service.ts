import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import {
  Clock,
  Entitlements,
  isUniqueViolation,
  isUuid,
  type Page,
  PlatformError,
  type RequestContext,
  TenantRepository,
  UsageRegistry,
} from '@atrium/platform';
import { IntegrationsConfig } from '../integrations.config.js';
import { IntegrationsError } from '../integrations.errors.js';
import { SCHEMES } from '../signatures/schemes.js';
import type { SignatureSchemeName } from '../signatures/signature-scheme.js';
import type { CreateProviderDto, UpdateProviderDto } from './dto/provider.dto.js';
import { ProviderCache } from '../receiving/provider-cache.js';
import { ProviderSecrets } from './provider-secrets.js';
import { WebhookProvider } from './webhook-provider.entity.js';

/** The package limit and usage meter of (undeleted) webhook providers. */
export const WEBHOOK_PROVIDERS_METER = 'webhook_providers';

/** What the audit trail records of a provider: never a secret. */
const snapshot = (p: WebhookProvider) => ({
  name: p.name,
  base_url: p.baseUrl,
  health_path: p.healthPath,
  signature_scheme: p.signatureScheme,
  event_types: p.eventTypes,
  secret_rotated_at: p.secretRotatedAt,
  previous_secret_expires_at: p.previousSecretExpiresAt,
  deleted_at: p.deletedAt,
});

const live = () => ({ deletedAt: IsNull() });

/**
 * An organization's webhook providers, within its package's limit. Secrets are generated (or given), shown once,
 * stored sealed, and never read back; each change is audited in its transaction.
 */
@Injectable()
export class ProviderService implements OnModuleInit {
  private readonly providers: TenantRepository<WebhookProvider>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditWriter,
    private readonly entitlements: Entitlements,
    private readonly usage: UsageRegistry,
    private readonly secrets: ProviderSecrets,
    private readonly config: IntegrationsConfig,
    private readonly clock: Clock,
    private readonly cache: ProviderCache,
  ) {
    this.providers = TenantRepository.for(dataSource, WebhookProvider, 'Webhook provider');
  }

  onModuleInit(): void {
    this.usage.register({ resource: WEBHOOK_PROVIDERS_METER, measure: (ctx, em) => this.providers.with(em).count(ctx, live()) });
  }

  /** Creates a provider; its secret (given or generated) is answered here only. */
  async create(ctx: RequestContext, dto: CreateProviderDto): Promise<{ provider: WebhookProvider; secret: string }> {
    const secret = this.chosenSecret(dto.signature_scheme, dto.secret);
    const id = randomUUID();
    const provider = await this.named(dto.name, () =>
      this.dataSource.transaction(async (em) => {
        await this.entitlements.assertWithinLimit(ctx, WEBHOOK_PROVIDERS_METER, 1, em);
        const saved = await this.providers.with(em).create(ctx, {
          id,
          name: dto.name,
          baseUrl: dto.base_url ?? null,
          healthPath: dto.health_path ?? null,
          signatureScheme: dto.signature_scheme,
          eventTypes: dto.event_types ?? [],
          secretSealed: this.secrets.seal(secret, id),
          createdBy: ctx.userId ?? null,
        });
        await this.audit.record(em, ctx, {
          action: 'webhook_provider.created',
          resourceType: 'webhook_provider',
          resourceId: id,
          target: saved.name,
          after: snapshot(saved),
        });
        return saved;
      }),
    );
    return { provider, secret };
  }

  list(ctx: RequestContext, query: { page: number; limit: number }): Promise<Page<WebhookProvider>> {
    return this.providers.findPage(ctx, query, live());
  }

  /** A provider of the context's organization that is not deleted, else 404. */
  async get(ctx: RequestContext, id: string, em?: EntityManager): Promise<WebhookProvider> {
    const repo = em ? this.providers.with(em) : this.providers;
    const found = isUuid(id) ? await repo.findOne(ctx, { id, ...live() }) : null;
    if (!found) throw IntegrationsError.provider_not_found();
    return found;
  }

  async update(ctx: RequestContext, id: string, dto: UpdateProviderDto): Promise<WebhookProvider> {
    return this.named(dto.name, () =>
      this.change(ctx, id, 'webhook_provider.updated', (p) => {
        if (dto.name !== undefined) p.name = dto.name;
        if (dto.base_url !== undefined) p.baseUrl = dto.base_url;
        if (dto.health_path !== undefined) p.healthPath = dto.health_path;
        if (dto.event_types !== undefined) p.eventTypes = dto.event_types;
      }),
    );
  }

  /** Deletes the provider: its senders are answered 410 from now on, its secrets are erased, its events stay. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.change(ctx, id, 'webhook_provider.deleted', (p) => {
      p.deletedAt = this.clock.now();
      p.secretSealed = null;
      p.previousSecretSealed = null;
      p.previousSecretExpiresAt = null;
    });
  }

  /**
   * A new secret (given or generated), answered here only; the one it replaces keeps verifying for the grace window
   * (WEBHOOK_SECRET_GRACE_HOURS), so senders can switch without losing events. A secret older than that is dropped.
   */
  async rotate(ctx: RequestContext, id: string, given?: string): Promise<{ provider: WebhookProvider; secret: string }> {
    const now = this.clock.now();
    let secret = '';
    const provider = await this.change(ctx, id, 'webhook_provider.secret_rotated', (p, current) => {
      secret = this.chosenSecret(p.signatureScheme, given);
      p.previousSecretSealed = current;
      p.previousSecretExpiresAt = new Date(now.getTime() + this.config.secretGraceMs);
      p.secretSealed = this.secrets.seal(secret, p.id);
      p.secretRotatedAt = now;
    });
    return { provider, secret };
  }

  private chosenSecret(scheme: SignatureSchemeName, given: string | undefined): string {
    if (given === undefined) return SCHEMES[scheme].newSecret();
    const problems = SCHEMES[scheme].secretProblems(given);
    if (problems.length) throw PlatformError.validation_failed(problems.join('; '), [{ field: 'secret', problems }]);
    return given;
  }

  /**
   * Loads the provider under a row lock (with its current sealed secret), applies `apply`, saves and audits it; then
   * this instance's receiving path forgets the providers it kept.
   */
  private async change(
    ctx: RequestContext,
    id: string,
    action: string,
    apply: (p: WebhookProvider, currentSealed: string | null) => void,
  ): Promise<WebhookProvider> {
    const changed = await this.dataSource.transaction(async (em) => {
      const provider = await this.get(ctx, id, em);
      const [{ secret_sealed: current }] = await em.query<Array<{ secret_sealed: string | null }>>(
        `SELECT secret_sealed FROM webhook_providers WHERE id = $1 FOR UPDATE`,
        [provider.id],
      );
      const before = snapshot(provider);
      apply(provider, current);
      const saved = await this.providers.with(em).save(ctx, provider);
      await this.audit.record(em, ctx, {
        action,
        resourceType: 'webhook_provider',
        resourceId: id,
        target: saved.name,
        before,
        after: snapshot(saved),
      });
      return saved;
    });
    this.cache.clear();
    return changed;
  }

  /** Runs a write that may give the provider a name another live provider of the organization holds: 409 then. */
  private async named<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (name !== undefined && isUniqueViolation(err, 'uq_webhook_providers_name')) {
        throw IntegrationsError.provider_name_taken(`A webhook provider named "${name}" already exists in this organization`, {
          field: 'name',
        });
      }
      throw err;
    }
  }
}
