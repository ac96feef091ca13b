import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Trimmed } from '@atrium/platform';
import { MessageDto } from '../../messages/dto/message.dto.js';
import type { ChatRole, ChatType } from '../chat.entity.js';

export const MAX_CHAT_MEMBERS_PER_REQUEST = 200;

export class CreateChatDto {
  @ApiProperty({ enum: ['direct', 'group'] })
  @IsIn(['direct', 'group'])
  type: ChatType;

  @ApiPropertyOptional({ example: 'Team Chat', maxLength: 100, description: 'Required for a group; a direct chat has none' })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Direct: exactly the other member. Group: the members besides you' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHAT_MEMBERS_PER_REQUEST)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  member_ids: string[];
}

export class UpdateChatDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ maxLength: 1000, nullable: true, type: String })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class AddChatMembersDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHAT_MEMBERS_PER_REQUEST)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  member_ids: string[];
}

export class ChatMemberDto {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ enum: ['admin', 'member'] }) role: ChatRole;
  @ApiProperty({ nullable: true, type: String }) first_name: string | null;
  @ApiProperty({ nullable: true, type: String }) last_name: string | null;
  @ApiProperty({ description: 'Read up to this seq' }) last_read_seq: number;
  @ApiProperty() joined_at: string;
}

export class ChatDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['direct', 'group'] }) type: ChatType;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ description: "The newest message's seq (0: none)" }) last_seq: number;
  @ApiProperty({ nullable: true, type: String }) last_message_at: string | null;
  @ApiProperty({ type: MessageDto, nullable: true }) last_message: MessageDto | null;
  @ApiProperty({ description: "Messages after the caller's read marker" }) unread_count: number;
  @ApiProperty({ enum: ['admin', 'member'], description: "The caller's role in the chat" }) my_role: ChatRole;
  @ApiProperty({ type: [ChatMemberDto] }) members: ChatMemberDto[];
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
