import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQueryDto } from '@atrium/platform';

/** What became of a notification's mail. */
export const EMAIL_STATUSES = ['held', 'queued', 'sent', 'delivered', 'bounced', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'chat.mentioned', description: 'The notification type (see GET /notifications/preferences for every type)' })
  type: string;
  @ApiProperty({ example: 'Ann mentioned you in Launch' }) title: string;
  @ApiProperty({ description: 'Plain text' }) body: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '/chats/2f1c…',
    description: "Where the client app takes the user (a path of the SPA's)",
  })
  link: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Ids the client may open, per type' })
  data: Record<string, unknown>;
  @ApiProperty() read: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) read_at: string | null;
  @ApiProperty({
    nullable: true,
    enum: EMAIL_STATUSES,
    description:
      'Its mail: `held` (quiet hours), `queued`, `sent`, `delivered`/`bounced` (reported by the mail provider), `failed`; null when not mailed',
  })
  email_status: EmailStatus | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Only unread notifications' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unread_only must be true or false' })
  unread_only?: boolean;
}

export class UnreadCountDto {
  @ApiProperty({ example: 3 }) unread_count: number;
  @ApiProperty({ example: 42, description: 'All your notifications in this organization, read or not' }) total: number;
}

/** `notification:new`, to the user's sockets acting for the notification's organization. */
export class NotificationNewEvent {
  @ApiProperty({ type: NotificationDto }) notification: NotificationDto;
  @ApiProperty() unread_count: number;
}
