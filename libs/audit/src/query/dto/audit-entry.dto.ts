import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuditActorDto {
  @ApiProperty({ enum: ['user', 'api_key', 'system'], description: '`api_key` when a key acted (for the account it belongs to)' })
  type: 'user' | 'api_key' | 'system';
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) user_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The account’s email when the entry was written' }) email: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) api_key_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The key’s name when the entry was written' }) api_key_name: string | null;
}

export class AuditUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The sign-in name: the email (integrations-api-b’s `username`)' })
  username: string | null;
}

export class AuditChangeDto {
  @ApiProperty({ nullable: true, description: 'The value in `before`, any JSON value (null: absent)' }) from: unknown;
  @ApiProperty({ nullable: true, description: 'The value in `after`, any JSON value (null: absent)' }) to: unknown;
}

/** One audit entry, with the field names of every contract (platform-api, integrations-api-a/b, webhooks-service). */
export class AuditLogDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'user.created' }) action: string;
  @ApiProperty({ example: 'user' }) resource_type: string;
  @ApiProperty({ nullable: true, type: String }) resource_id: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'ann@example.com', description: 'A human label of what was acted on' })
  target: string | null;
  @ApiProperty({ type: AuditActorDto }) actor: AuditActorDto;
  @ApiProperty({ nullable: true, type: String, example: 'admin@org.com', description: 'The actor’s email, or the API key’s name' })
  performed_by: string | null;
  @ApiProperty({ nullable: true, type: AuditUserDto, description: 'The acting account (null for system entries)' })
  user: AuditUserDto | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Secrets redacted' })
  before: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Secrets redacted' })
  after: Record<string, unknown> | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/AuditChangeDto' },
    description: 'The keys that differ between `before` and `after`, e.g. `{"email": {"from": "a@x.co", "to": "b@x.co"}}`',
  })
  changes: Record<string, AuditChangeDto>;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, example: '203.0.113.7' }) ip_address: string | null;
  @ApiProperty({ nullable: true, type: String }) user_agent: string | null;
  @ApiProperty({ nullable: true, type: String }) request_id: string | null;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ format: 'date-time', description: 'Same as `timestamp`' }) created_at: string;
}

/**
 * `GET /audit-logs`: numbered pages answer the house list shape with a capped count and the cursor of the next page;
 * a page read with `cursor` answers only `data`, `limit` and `next_cursor` (no count).
 */
export class AuditPageDto {
  @ApiProperty({ type: [AuditLogDto] }) data: AuditLogDto[];
  @ApiPropertyOptional({ description: 'Matching entries, counted up to 10,000 (see `total_exact`); absent on cursor pages' })
  total?: number;
  @ApiPropertyOptional({ description: 'Absent on cursor pages' }) page?: number;
  @ApiProperty() limit: number;
  @ApiPropertyOptional({ description: 'Absent on cursor pages' }) totalPages?: number;
  @ApiPropertyOptional({
    description:
      'false when more than 10,000 entries match: `total` is then 10,000 and deeper history is read with `cursor`; absent on cursor pages',
  })
  total_exact?: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the entries after this page; null on the last page' })
  next_cursor: string | null;
}

export class AuditActionCountDto {
  @ApiProperty({ example: 'user.created' }) action: string;
  @ApiProperty() count: number;
}

export class AuditActorCountDto extends AuditActorDto {
  @ApiProperty() count: number;
}

export class AuditDayCountDto {
  @ApiProperty({ example: '2026-11-29', description: 'UTC day' }) day: string;
  @ApiProperty() count: number;
}

export class AuditStatsDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty() total: number;
  @ApiProperty({ type: [AuditActionCountDto], description: 'Most frequent first' }) by_action: AuditActionCountDto[];
  @ApiProperty({ type: [AuditActorCountDto], description: 'Most active first' }) by_actor: AuditActorCountDto[];
  @ApiProperty({ type: [AuditDayCountDto], description: 'Days with entries, oldest first' }) by_day: AuditDayCountDto[];
}

export class ViewableUserDto {
  @ApiProperty({ format: 'uuid', description: 'Pass as `user_id`' }) id: string;
  @ApiProperty({ nullable: true, type: String, example: 'ann@example.com', description: 'Current, else the last the trail recorded' })
  email: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Ann Example' }) name: string | null;
  @ApiProperty({ description: 'Still a member of this organization' }) is_member: boolean;
}
