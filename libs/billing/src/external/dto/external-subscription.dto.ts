import { ApiProperty } from '@nestjs/swagger';

export class ExternalSubscriptionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'payment-service', description: 'The webhook provider that reported it' }) provider: string;
  @ApiProperty({ example: 'sub_123', description: 'The partner’s id of the subscription' }) external_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'user_001' }) external_user_id: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'premium' }) plan: string | null;
  @ApiProperty({ example: 'active', description: 'As the partner reports it; `cancelled` after subscription.deleted/cancelled' })
  status: string;
  @ApiProperty({ nullable: true, type: Number, example: 2999, description: 'Minor units' }) amount_minor: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'USD' }) currency: string | null;
  @ApiProperty({ example: 'subscription.updated' }) last_event_type: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) cancelled_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}
