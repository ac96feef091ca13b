import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../session.entity.js';
import { sessionView } from '../device.js';

export class SessionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Chrome on macOS', description: 'Read from the user agent' }) device: string;
  @ApiProperty({ nullable: true, type: String }) user_agent: string | null;
  @ApiProperty({ nullable: true, type: String, example: '203.0.113.7' }) ip: string | null;
  @ApiProperty({ format: 'uuid', description: 'The organization the session acts for' }) organization_id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', description: 'Updated at most once a minute' }) last_used_at: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty({ description: 'This is the session making the request' }) current: boolean;

  /** `currentSessionId`: the session making the request, marked `current`. */
  static from(s: Session, currentSessionId: string | undefined): SessionDto {
    return { ...sessionView(s), current: s.id === currentSessionId };
  }
}
