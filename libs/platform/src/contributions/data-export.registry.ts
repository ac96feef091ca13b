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

/** Sections the export writes itself; contributors may not take these keys. */
export const CORE_EXPORT_SECTIONS = ['format', 'generated_at', 'profile', 'memberships', 'sessions'] as const;

/** Where every feature registers what it holds about a user, so `GET /users/me/download-data` includes it. */
@Injectable()
export class DataExportRegistry {
  private readonly sections = new Map<string, DataExportContributor>();

  /** Call from `onModuleInit`; a key may be registered once. */
  register(contributor: DataExportContributor): void {
    if ((CORE_EXPORT_SECTIONS as readonly string[]).includes(contributor.key) || this.sections.has(contributor.key)) {
      throw new Error(`Data export section "${contributor.key}" is already taken`);
    }
    this.sections.set(contributor.key, contributor);
  }

  /** Registered sections, sorted by key so exports are stable. */
  contributors(): DataExportContributor[] {
    return [...this.sections.values()].sort((a, b) => a.key.localeCompare(b.key));
  }
}
