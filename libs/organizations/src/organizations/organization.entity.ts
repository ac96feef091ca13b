import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@atrium/platform';

export type OrganizationStatus = 'active' | 'suspended';

/** A tenant: every tenant-owned row points at one. */
@Entity('organizations')
export class Organization extends BaseEntity {
  @Column('text')
  name: string;

  @Index('uq_organizations_slug', { unique: true })
  @Column('text', { nullable: true })
  slug: string | null;

  @Column('text', { nullable: true })
  email: string | null;

  @Column('text', { nullable: true })
  phone: string | null;

  @Column('jsonb', { default: {} })
  settings: Record<string, unknown>;

  @Column('text', { default: 'active' })
  status: OrganizationStatus;
}
