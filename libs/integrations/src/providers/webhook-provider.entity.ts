import { Column, Entity } from 'typeorm';
import { TenantEntity } from '@atrium/platform';
import type { SignatureSchemeName } from '../signatures/signature-scheme.js';

/**
 * A service allowed to send this organization signed webhooks. Its secrets are sealed (SecretBox, bound to the provider
 * id) and never selected by default; during a rotation the previous one verifies until `previousSecretExpiresAt`.
 * Deleting keeps the row without its secrets (`deletedAt`): its events still name it and its senders are answered 410.
 */
@Entity('webhook_providers')
export class WebhookProvider extends TenantEntity {
  @Column('text') name: string;
  @Column('text', { nullable: true }) baseUrl: string | null;
  @Column('text', { nullable: true }) healthPath: string | null;
  @Column('text') signatureScheme: SignatureSchemeName;
  @Column('text', { array: true, default: () => "'{}'" }) eventTypes: string[];
  @Column('text', { nullable: true, select: false }) secretSealed: string | null;
  @Column('text', { nullable: true, select: false }) previousSecretSealed: string | null;
  @Column('timestamptz', { nullable: true }) previousSecretExpiresAt: Date | null;
  @Column('timestamptz', { nullable: true }) secretRotatedAt: Date | null;
  @Column('uuid', { nullable: true }) createdBy: string | null;
  @Column('timestamptz', { nullable: true }) deletedAt: Date | null;
}
