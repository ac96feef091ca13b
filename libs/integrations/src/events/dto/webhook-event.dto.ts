import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@atrium/platform';

export const WEBHOOK_EVENT_STATUSES = ['received', 'processing', 'completed', 'failed', 'dead', 'ignored'] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

const STATUS_HELP =
  '`received` (stored, waiting for a worker), `processing` (a worker took it; if that worker dies, another takes it at `next_attempt_at`), `completed` (its handler ran), `failed` (its handler threw; retried at `next_attempt_at`), ' +
  '`dead` (retries exhausted; admins notified), `ignored` (no handler for its type, or a type outside the provider’s event_types)';

export class WebhookEventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'A provider of the organization, by id or name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  provider?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_STATUSES)
  status?: WebhookEventStatus;

  @ApiPropertyOptional({ example: 'user.created' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or after' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received before' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}

export class WebhookServiceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'user-service' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: 'http://localhost:8000/api/mock' }) base_url: string | null;
  @ApiProperty({ description: 'The provider was deleted (its events stay)' }) deleted: boolean;
}

export class WebhookEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: WebhookServiceDto, description: 'The provider that sent it' }) service: WebhookServiceDto;
  @ApiProperty({ example: 'evt_1Nq…', description: 'The sender’s id of the event (the dedupe key)' }) external_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'user.created' }) event_type: string | null;
  @ApiProperty({ description: 'The body as JSON; a body that is not JSON as its text', nullable: true }) payload: unknown;
  @ApiProperty({ enum: WEBHOOK_EVENT_STATUSES, description: STATUS_HELP }) status: WebhookEventStatus;
  @ApiProperty({ description: 'Attempts after the first' }) retry_count: number;
  @ApiProperty({ nullable: true, type: String, description: 'The last failed attempt’s error' }) last_error: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) processed_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'A `failed` event: when its next attempt is due; a `processing` one: when its worker’s lease ends',
  })
  next_attempt_at: string | null;
}

export class WebhookAttemptDto {
  @ApiProperty({ example: 1 }) attempt: number;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ example: 12 }) duration_ms: number;
  @ApiProperty({ enum: ['completed', 'failed', 'ignored'] }) outcome: 'completed' | 'failed' | 'ignored';
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class WebhookEventDetailDto extends WebhookEventDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The headers as received, without credentials' })
  headers: Record<string, string | string[]>;
  @ApiProperty({ type: [WebhookAttemptDto] }) attempts: WebhookAttemptDto[];
}
