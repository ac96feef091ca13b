import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import type { CallRow, ParticipantRow } from '../call-store.js';

export const CALL_TYPES = ['audio', 'video'] as const;

export class StartCallDto {
  @ApiProperty({ enum: CALL_TYPES, example: 'video' })
  @IsIn(CALL_TYPES, { message: 'call_type must be audio or video' })
  call_type: 'audio' | 'video';
}

export class UpdateMediaDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  audio_enabled: boolean;

  @ApiProperty({ example: false })
  @IsBoolean()
  video_enabled: boolean;
}

export class CallParticipantDto {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ enum: ['invited', 'joined', 'left', 'rejected'] }) state: string;
  @ApiProperty() audio_enabled: boolean;
  @ApiProperty() video_enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) joined_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) left_at: string | null;
}

export class CallDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) chat_id: string;
  @ApiProperty({ enum: CALL_TYPES }) call_type: string;
  @ApiProperty({ enum: ['ringing', 'active', 'ended'] }) status: string;
  @ApiProperty({
    enum: ['completed', 'missed', 'rejected', 'cancelled', 'dropped'],
    nullable: true,
    type: String,
    description: 'Why the call ended (null until it has)',
  })
  end_reason: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) started_by: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) ended_by: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) answered_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) ended_at: string | null;
  @ApiProperty({ type: [CallParticipantDto] }) participants: CallParticipantDto[];

  static from(call: CallRow, participants: ParticipantRow[]): CallDto {
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return {
      id: call.id,
      chat_id: call.chat_id,
      call_type: call.call_type,
      status: call.status,
      end_reason: call.end_reason,
      started_by: call.started_by,
      ended_by: call.ended_by,
      created_at: new Date(call.created_at).toISOString(),
      answered_at: iso(call.answered_at),
      ended_at: iso(call.ended_at),
      participants: participants.map((p) => ({
        user_id: p.user_id,
        state: p.state,
        audio_enabled: p.audio_enabled,
        video_enabled: p.video_enabled,
        joined_at: iso(p.joined_at),
        left_at: iso(p.left_at),
      })),
    };
  }
}

export class IceServerDto {
  @ApiProperty({ type: [String], example: ['turn:turn.example.com:3478?transport=udp'] }) urls: string[];
  @ApiPropertyOptional({ example: '1764003600:3f0c5a4e-7c1b-4d2a-9e8f-0123456789ab', description: 'TURN only: `<unix expiry>:<user id>`' })
  username?: string;
  @ApiPropertyOptional({ description: 'TURN only: base64(HMAC-SHA1(TURN_SECRET, username))' }) credential?: string;
}

export class IceServersDto {
  @ApiProperty({ type: [IceServerDto], description: 'Pass as `RTCConfiguration.iceServers`' }) iceServers: IceServerDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds the TURN credentials stay valid (null: STUN only, nothing expires)' })
  ttl_seconds: number | null;
}
