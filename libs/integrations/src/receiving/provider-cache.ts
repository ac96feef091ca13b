import { Injectable } from '@nestjs/common';
import { Clock } from '@atrium/platform';
import type { SignatureSchemeName } from '../signatures/signature-scheme.js';
import { IntegrationsConfig } from '../integrations.config.js';

/** A provider as the receiving path reads it. */
export type ProviderRow = {
  id: string;
  organization_id: string;
  signature_scheme: SignatureSchemeName;
  secret_sealed: string | null;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  deleted_at: Date | null;
};

/**
 * The providers this instance recently verified a webhook for, by the organization (id or slug) and provider name of
 * the webhook's URL, kept WEBHOOK_PROVIDER_CACHE_SECONDS: a busy sender's webhooks cost one statement each, not two.
 * Only live providers that signed a webhook are kept, and the receiver reads the provider again before refusing
 * anything (bad signature, missing header, deleted), so a cached copy can only let through what a current read would
 * also have let through — save a provider deleted, or a secret rotated out of its grace window, through another
 * instance within the window. Changes through this instance empty it at once.
 */
@Injectable()
export class ProviderCache {
  private readonly entries = new Map<string, { row: ProviderRow; until: number }>();
  private readonly ttlMs: number;

  constructor(
    config: IntegrationsConfig,
    private readonly clock: Clock,
  ) {
    this.ttlMs = config.providerCacheMs;
  }

  get(organization: string, name: string): ProviderRow | undefined {
    if (this.ttlMs === 0) return undefined;
    const key = keyOf(organization, name);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.clock.now().getTime()) return entry.row;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps a live provider that just verified a webhook. */
  keep(organization: string, name: string, row: ProviderRow): void {
    if (this.ttlMs === 0 || row.deleted_at) return;
    // Bounded: a flood of distinct (valid) URLs cannot grow it without end.
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(keyOf(organization, name), { row, until: this.clock.now().getTime() + this.ttlMs });
  }

  /** A provider changed through this instance (created, renamed, rotated, deleted): nothing cached is trusted. */
  clear(): void {
    this.entries.clear();
  }
}

const MAX_ENTRIES = 10_000;
const keyOf = (organization: string, name: string) => `${organization.toLowerCase()}\u0000${name.toLowerCase()}`;
