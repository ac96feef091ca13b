import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

export type CallType = 'audio' | 'video';
export type CallStatus = 'ringing' | 'active' | 'ended';
/**
 * Why a call ended: `completed` (it was answered, then ended or everyone left), `missed` (nobody answered in time),
 * `rejected` (everyone invited declined), `cancelled` (the caller gave up before anyone answered), `dropped` (the last
 * participant lost their connection for longer than the grace period).
 */
export type CallEndReason = 'completed' | 'missed' | 'rejected' | 'cancelled' | 'dropped';
export type ParticipantState = 'invited' | 'joined' | 'left' | 'rejected';

/** A call in one chat: ringing → active → ended (never leaves `ended`); at most one not ended per chat. */
@Entity('calls')
export class Call extends TenantEntity {
  @Column('uuid')
  chatId: string;

  @Column('text')
  callType: CallType;

  @Column('text', { default: 'ringing' })
  status: CallStatus;

  @Column('text', { nullable: true })
  endReason: CallEndReason | null;

  @Column('uuid', { nullable: true })
  startedBy: string | null;

  @Column('uuid', { nullable: true })
  endedBy: string | null;

  @Column('timestamptz', { nullable: true })
  answeredAt: Date | null;

  @Column('timestamptz', { nullable: true })
  endedAt: Date | null;
}

/** One chat member's place in a call. Rows are reached through their call (CallStore), never on their own. */
@Entity('call_participants')
export class CallParticipant {
  @PrimaryColumn('uuid')
  callId: string;

  @PrimaryColumn('uuid')
  userId: string;

  @Column('uuid')
  organizationId: string;

  @Column('text')
  state: ParticipantState;

  @Column('boolean', { default: true })
  audioEnabled: boolean;

  @Column('boolean', { default: false })
  videoEnabled: boolean;

  @Column('timestamptz', { nullable: true })
  joinedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  leftAt: Date | null;
}
