import type { SubscriptionTerms } from './quote-token.js';
import { termsFingerprint } from './quote-token.js';

/** At most this many organizations' terms per instance (a few hundred bytes each). */
export const MAX_CACHED_TERMS = 10_000;

/** An organization's subscription terms as read at a version, with their fingerprint (computed once). */
export interface CachedTerms {
  terms: SubscriptionTerms;
  fingerprint: string;
}

interface Entry extends CachedTerms {
  version: string;
}

/**
 * Each organization's subscription terms as this instance last read them, tagged with the organization's version
 * (organization_directory_versions) that the credential check read before they were read. Triggers move that
 * version in every transaction that changes the terms (migration 1764001000400), and every request's credential
 * check reads it, so terms are served only to a request whose credential check read the same version: nothing
 * about them has changed since, on any instance. Terms are read after the version they are stored under, so they
 * are never older than it. Least recently used out first.
 */
export class SubscriptionTermsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = MAX_CACHED_TERMS) {}

  /** The terms read at `version`, if this instance has them. */
  get(organizationId: string, version: string): CachedTerms | undefined {
    const hit = this.entries.get(organizationId);
    if (!hit) return undefined;
    if (hit.version !== version) {
      // Read at another version: never served again.
      this.entries.delete(organizationId);
      return undefined;
    }
    // Most recently used last (a Map iterates in insertion order, so eviction takes the least recently used).
    this.entries.delete(organizationId);
    this.entries.set(organizationId, hit);
    return hit;
  }

  /** Keeps `terms`, read after a credential check that read `version`; answers them with their fingerprint. */
  set(organizationId: string, version: string, terms: SubscriptionTerms): CachedTerms {
    const entry: Entry = { version, terms: Object.freeze(terms), fingerprint: termsFingerprint(terms) };
    this.entries.delete(organizationId);
    this.entries.set(organizationId, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}
