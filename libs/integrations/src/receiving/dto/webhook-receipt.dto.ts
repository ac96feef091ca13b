import { ApiProperty } from '@nestjs/swagger';

export class WebhookReceiptDto {
  @ApiProperty({ format: 'uuid', description: 'The stored event (for a duplicate: the one stored the first time)' }) event_id: string;
  @ApiProperty({ description: 'This event id was already received from this provider: nothing new was stored' }) duplicate: boolean;
}
