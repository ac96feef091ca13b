import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

/**
 * An organization's key for external systems. Only the SHA-256 of the key is stored; `prefix` names
 * it in lists. Its permissions are capped, at every request, by what the role of the account it acts for
 * (`createdBy`: its creator, or whoever last rotated it and so holds its secret) grants then.
 */
@Entity('api_keys')
export class ApiKey extends TenantEntity {
  @Column('text')
  name: string;

  @Index('uq_api_keys_prefix', { unique: true })
  @Column('text')
  prefix: string;

  @Index('uq_api_keys_key_hash', { unique: true })
  @Column('text', { select: false })
  keyHash: string;

  @Column('text', { array: true, default: () => "'{}'" })
  permissions: string[];

  /** The account the key acts for: its creator, re-bound to whoever rotates it. */
  @Index('ix_api_keys_created_by')
  @Column('uuid')
  createdBy: string;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  rotatedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
