import { Injectable } from '@nestjs/common';

/**
 * One section of a user's data export (GDPR). `collect` answers the section's JSON value; an async
 * iterable is written item by item as a JSON array, so a large section never sits in memory whole.
 * Never return secrets: password or token hashes, TOTP secrets, API keys.
 */
export interface DataExportContributor {
  /** The section's key in the export document, e.g. `notifications`. */
  key: string;
  collect(userId: string): Promise<unknown> | AsyncIterable<unknown>;
}

/** Where every feature registers what it holds about a user, so `GET /users/me/download-data` includes it. */
@Injectable()
export class DataExportRegistry {
  private readonly sections = new Map<string, DataExportContributor>();
  /** Keys the exporter writes itself (its header and core sections). */
  private readonly reserved = new Set<string>();

  /** The exporter names the keys it writes itself, so no contributor can take them. */
  reserve(...keys: string[]): void {
    for (const key of keys) this.take(key);
    for (const key of keys) this.reserved.add(key);
  }

  /** Call from `onModuleInit`; a key may be registered once. */
  register(contributor: DataExportContributor): void {
    this.take(contributor.key);
    this.sections.set(contributor.key, contributor);
  }

  private take(key: string): void {
    if (this.reserved.has(key) || this.sections.has(key)) throw new Error(`Data export section "${key}" is already taken`);
  }

  /** Registered sections, sorted by key so exports are stable. */
  contributors(): DataExportContributor[] {
    return [...this.sections.values()].sort((a, b) => a.key.localeCompare(b.key));
  }
}
