import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';

export const SYNC_TYPES = ['users', 'subscriptions', 'notifications'] as const;
export type SyncType = (typeof SYNC_TYPES)[number];
export const SYNC_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export class TriggerSyncDto {
  @ApiProperty({ format: 'uuid', description: 'The provider to pull from (its base_url + /api/data/{sync_type})' })
  @IsUUID('all', { message: 'service_id must be a provider id (a UUID)' })
  service_id: string;

  @ApiProperty({ enum: SYNC_TYPES })
  @IsIn(SYNC_TYPES, { message: `sync_type must be one of ${SYNC_TYPES.join(', ')}` })
  sync_type: SyncType;
}

export class SyncServiceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'user-service' }) name: string;
}

export class SyncRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: SyncServiceDto }) service: SyncServiceDto;
  @ApiProperty({ enum: SYNC_TYPES }) sync_type: SyncType;
  @ApiProperty({
    enum: SYNC_STATUSES,
    description: '`queued`, `running` (pages being pulled), `completed` (every page pulled), `failed` (see `error`)',
  })
  status: SyncStatus;
  @ApiProperty({ description: 'Pages pulled and committed so far (a run taken over after a crash resumes after them)' }) pages_done: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Records the provider reports in all (null: not known yet)' }) total:
    number | null;
  @ApiProperty({ description: 'Records received and stored so far' }) records_synced: number;
  @ApiProperty({ description: 'Of those, records seen for the first time' }) records_created: number;
  @ApiProperty({ description: 'Of those, records already stored whose data changed' }) records_updated: number;
  @ApiProperty({ nullable: true, type: Number, example: 40, description: 'records_synced / total, in percent (null: total unknown)' })
  progress: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ description: 'Times another worker took the run over after its worker stopped' }) resumes: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finished_at: string | null;
}
