import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_STATUSES, type WebhookEventStatus } from './webhook-event.dto.js';

/** The statuses an admin may set by hand. */
export const MANUAL_STATUSES = ['completed', 'ignored', 'dead'] as const;

export class UpdateWebhookEventDto {
  @ApiProperty({
    enum: MANUAL_STATUSES,
    description: 'A manual fix: `completed` (its effect was applied by other means), `ignored`, or `dead` (stop retrying)',
  })
  @IsIn(MANUAL_STATUSES, { message: `status must be one of: ${MANUAL_STATUSES.join(', ')}` })
  status: (typeof MANUAL_STATUSES)[number];
}

export class ReplayWebhookEventsDto {
  @ApiProperty({ description: 'A provider of the organization, by id or name', example: 'payment-service' })
  @IsString()
  @MaxLength(200)
  provider: string;

  @ApiProperty({ format: 'date-time', description: 'Events received at or after' })
  @IsDateString({ strict: true })
  from: string;

  @ApiProperty({ format: 'date-time', description: 'Events received before' })
  @IsDateString({ strict: true })
  to: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_EVENT_STATUSES,
    description: 'Only events in this status. Without `force` completed and ignored events are never re-processed',
  })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_STATUSES)
  status?: WebhookEventStatus;

  @ApiPropertyOptional({
    default: false,
    description: 'Re-process completed and ignored events too: their handler runs again (effects may repeat)',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class ReplayResultDto {
  @ApiProperty({ example: 12, description: 'Events queued for processing' }) queued: number;
  @ApiProperty({ format: 'uuid', description: 'Names this replay in the audit trail' }) replay_id: string;
}
