import { bigintNumber } from '@atrium/platform';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type FeatureKind = 'flag' | 'limit';

/** A capability a package includes (a flag, or a limit such as members) and that may be bought as an add-on. */
@Entity('features')
export class Feature {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_features_key', { unique: true })
  @Column('text')
  key: string;

  @Column('text')
  name: string;

  @Column('text')
  description: string;

  @Column('text')
  kind: FeatureKind;

  /** What a limit counts (`members`, `bytes`, …); null for flags. */
  @Column('text', { nullable: true })
  unit: string | null;

  /** How much one add-on adds to a limit; null for flags. */
  @Column('bigint', { nullable: true, transformer: bigintNumber })
  addonUnit: number | null;

  /** Monthly price of one add-on in cents; null when it is not sold on its own. */
  @Column('int', { nullable: true })
  addonMonthlyCents: number | null;

  @Column('int', { default: 0 })
  sortOrder: number;
}
