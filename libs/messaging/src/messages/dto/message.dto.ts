import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '@atrium/platform';
import { MESSAGE_TYPES, type Message } from '../message.entity.js';
import { SystemFields } from '../system-fields.js';

export const MAX_MESSAGE_LENGTH = 10_000;
const NOT_BLANK = /\S/;

export class SendMessageDto {
  @ApiProperty({ example: 'Hello @2f1c…!', maxLength: MAX_MESSAGE_LENGTH, description: '`@<user id>` mentions a chat member' })
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  @Matches(NOT_BLANK, { message: 'content must not be blank' })
  content: string;

  @ApiProperty({ enum: ['TEXT'], description: 'TEXT; SYSTEM messages are written by the server only' })
  @IsIn(['TEXT'], { message: 'message_type must be TEXT (SYSTEM messages are written by the server only)' })
  message_type: 'TEXT';

  @ApiPropertyOptional({ maxLength: 100, description: 'Retrying with the same id returns the first message instead of a duplicate' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  client_message_id?: string;
}

/** `message:send` over the socket: the REST body plus the chat. */
export class SocketSendMessageDto extends SendMessageDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  chat_id: string;
}

export class EditMessageDto {
  @ApiProperty({ maxLength: MAX_MESSAGE_LENGTH })
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  @Matches(NOT_BLANK, { message: 'content must not be blank' })
  content: string;
}

export class MessageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only messages older than this seq (newest first): infinite scroll' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ description: 'Only messages newer than this seq, oldest first: catching up after a reconnect' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;

  @ApiPropertyOptional({ maxLength: 200, description: 'Full-text search over the chat (words as typed, any language)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  search?: string;
}

export class ReadDto {
  @ApiProperty({ description: 'The seq read up to; the marker only moves forward' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  seq: number;
}

export class SocketReadDto extends ReadDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  chat_id: string;
}

/** A stored message, as REST answers it and `message:new` / `message:updated` push it. */
export class MessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) chat_id: string;
  @ApiProperty({ description: "The chat's sequence number: commit order, no gaps" }) seq: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) sender_id: string | null;
  @ApiProperty({ enum: MESSAGE_TYPES }) message_type: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null once deleted' }) content: string | null;
  @ApiProperty({ nullable: true, type: String }) client_message_id: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) mentions: string[];
  @ApiProperty({
    type: SystemFields,
    nullable: true,
    description: 'SYSTEM messages: what happened (event, actor_id, and the fields of that event); null for TEXT and once deleted',
  })
  system: SystemFields | null;
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) edited_at: string | null;
  @ApiProperty({ nullable: true, type: String }) deleted_at: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) deleted_by: string | null;

  static from(m: Message): MessageDto {
    return {
      id: m.id,
      chat_id: m.chatId,
      seq: m.seq,
      sender_id: m.senderId,
      message_type: m.messageType,
      content: m.content,
      client_message_id: m.clientMessageId,
      mentions: m.mentions,
      system: m.system,
      created_at: m.createdAt.toISOString(),
      edited_at: m.editedAt?.toISOString() ?? null,
      deleted_at: m.deletedAt?.toISOString() ?? null,
      deleted_by: m.deletedBy,
    };
  }
}

export class ReadStateDto {
  @ApiProperty({ format: 'uuid' }) chat_id: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ description: 'Read up to here (never moves back)' }) seq: number;
  @ApiProperty({ description: 'TEXT messages after it (SYSTEM messages never count)' }) unread_count: number;
}
