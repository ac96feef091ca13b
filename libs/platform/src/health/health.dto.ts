import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ProbeDto {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
  @ApiProperty() latency_ms: number;
  @ApiPropertyOptional() error?: string;
}

export class QueueProbeDto extends ProbeDto {
  @ApiProperty({ enum: ['postgres', 'redis'] }) backend: 'postgres' | 'redis';
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ type: ProbeDto }) database: ProbeDto;
  @ApiProperty({ type: QueueProbeDto }) queue: QueueProbeDto;
}
