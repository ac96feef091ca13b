import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const SYSTEM_EVENTS = [
  'chat_renamed',
  'members_added',
  'member_removed',
  'member_left',
  'admin_assigned',
  'member_revoked',
  'call_ended',
  'call_missed',
] as const;
export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

/** The structured facts of a SYSTEM message (`message.system`), for clients that write their own text. */
export class SystemFields {
  @ApiProperty({ enum: SYSTEM_EVENTS }) event: SystemEvent;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Who acted; null when the system did' })
  actor_id: string | null;
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Who it happened to: added, removed, left, revoked, made admin; for a missed call, who was not reached',
  })
  user_ids?: string[];
  @ApiPropertyOptional({ description: 'chat_renamed: the new name' }) name?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'call_ended, call_missed' }) call_id?: string;
  @ApiPropertyOptional({
    enum: ['completed', 'missed', 'rejected', 'cancelled', 'dropped'],
    description: 'call_ended, call_missed: why the call ended',
  })
  reason?: string;
  @ApiPropertyOptional({ description: 'call_ended, call_missed: seconds from answer to end (0 if never answered)' })
  duration_seconds?: number;
}
