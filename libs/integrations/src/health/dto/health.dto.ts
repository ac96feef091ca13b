import { ApiProperty } from '@nestjs/swagger';

export const HEALTH_STATUSES = ['healthy', 'degraded', 'down', 'unknown'] as const;
export const INTEGRATION_STATUSES = ['OK', 'RETRYING', 'FAILED'] as const;

const HEALTH_HELP =
  '`healthy`: a 2xx answer within INTEGRATION_HEALTH_SLOW_MS; `degraded`: a 2xx answer slower than that, or one or two failed ' +
  'probes in a row (no answer within INTEGRATION_HEALTH_TIMEOUT_MS, unreachable, refused by the outbound policy, or a non-2xx ' +
  'answer); `down`: three or more failed probes in a row; `unknown`: not probed yet';

export class HealthServiceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'user-service' }) name: string;
  @ApiProperty({ example: 'http://localhost:8000/api/mock/health', description: 'base_url + health_path' }) health_url: string;
}

export class IntegrationHealthDto {
  @ApiProperty({ format: 'uuid', description: 'The provider’s id' }) id: string;
  @ApiProperty({ type: HealthServiceDto }) service: HealthServiceDto;
  @ApiProperty({ enum: HEALTH_STATUSES, description: HEALTH_HELP }) status: (typeof HEALTH_STATUSES)[number];
  @ApiProperty({ nullable: true, type: Number, example: 0.15, description: 'Seconds the last probe took to answer (null: no answer)' })
  response_time: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_check: string | null;
  @ApiProperty({ example: '', description: 'The last probe’s error; empty when it succeeded' }) error_message: string;
  @ApiProperty({ example: 0, description: 'Failed probes in a row (3 mark it down)' }) consecutive_failures: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the status last changed' })
  status_changed_at: string | null;
}

export class IntegrationStatusDto {
  @ApiProperty({
    enum: INTEGRATION_STATUSES,
    description:
      '`FAILED`: health `down`, an event `dead` in the last 24 h, or the latest sync of some type failed; `RETRYING`: a failed ' +
      'health probe not yet making it down, or events `failed` awaiting their retry; `OK` otherwise',
  })
  status: (typeof INTEGRATION_STATUSES)[number];
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When its last data sync completed' })
  lastSync: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'No answer within 5000 ms',
    description: 'The newest error behind a status other than OK',
  })
  lastError: string | null;
  @ApiProperty({ enum: HEALTH_STATUSES }) health: (typeof HEALTH_STATUSES)[number];
}
