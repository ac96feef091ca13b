import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { PageQueryDto } from '@atrium/platform';
import { decodeCursor } from '../audit-filters.js';

/** A rule over the whole query, reported on the property it decorates (so one 400 names every problem). */
const Check = (name: string, ok: (value: unknown, dto: Record<string, unknown>) => boolean, message: string) =>
  ValidateBy({
    name,
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => ok(value, (args?.object ?? {}) as Record<string, unknown>),
      defaultMessage: () => message,
    },
  });

/** Both names of a filter given with different values. */
const SameAs = (other: string) =>
  Check(
    `same_as_${other}`,
    (value, dto) => dto[other] === undefined || dto[other] === value,
    `names something else than ${other}; give one of them`,
  );

const FILTER_TEXT = { minLength: 1, maxLength: 200 };

/** `?from&to`: ISO 8601 instants (a date alone is its midnight UTC), both inclusive. */
export class AuditRangeQueryDto {
  /** Filter values hold no secrets: the validation pipe may remember a validated query string. */
  static readonly rememberValidation = true;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Entries at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-30T23:59:59Z',
    description: 'Entries at or before this instant; not before `from`',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  @Check(
    'not_before_from',
    (to, dto) => !isDate(dto.from) || !isDate(to) || Date.parse(to as string) >= Date.parse(dto.from as string),
    'to must not be before from',
  )
  to?: string;
}

const isDate = (v: unknown): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** The filters of the list and the export, with the other contracts' names as aliases. */
export class AuditFilterQueryDto extends AuditRangeQueryDto {
  @ApiPropertyOptional({ example: 'user.created', description: 'Exact action' })
  @IsOptional()
  @IsString()
  @MinLength(FILTER_TEXT.minLength)
  @MaxLength(FILTER_TEXT.maxLength)
  action?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Entries this account performed (see GET /audit-logs/viewable-users)' })
  @IsOptional()
  @IsUUID('all', { message: 'user_id must be a UUID' })
  user_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Alias of `user_id`' })
  @IsOptional()
  @IsUUID('all', { message: 'user must be a UUID' })
  @SameAs('user_id')
  user?: string;

  @ApiPropertyOptional({ example: 'user', description: 'Entries about this kind of resource' })
  @IsOptional()
  @IsString()
  @MinLength(FILTER_TEXT.minLength)
  @MaxLength(FILTER_TEXT.maxLength)
  resource_type?: string;

  @ApiPropertyOptional({ example: 'user', description: 'Alias of `resource_type`' })
  @IsOptional()
  @IsString()
  @MinLength(FILTER_TEXT.minLength)
  @MaxLength(FILTER_TEXT.maxLength)
  @SameAs('resource_type')
  resource?: string;

  @ApiPropertyOptional({ description: 'Entries about this resource (with `resource_type`, one resource’s history)' })
  @IsOptional()
  @IsString()
  @MinLength(FILTER_TEXT.minLength)
  @MaxLength(FILTER_TEXT.maxLength)
  resource_id?: string;

  @ApiPropertyOptional({ description: 'Alias of `resource_id`' })
  @IsOptional()
  @IsString()
  @MinLength(FILTER_TEXT.minLength)
  @MaxLength(FILTER_TEXT.maxLength)
  @SameAs('resource_id')
  id?: string;
}

/** `GET /audit-logs`: filters, numbered pages, or keyset pages with `cursor`. */
export class AuditListQueryDto extends IntersectionType(PageQueryDto, AuditFilterQueryDto) {
  static readonly rememberValidation = true;

  @ApiPropertyOptional({
    description:
      'The previous page’s `next_cursor`: the next entries after it, at the cost of one page however deep (`page` is then ignored and no `total` is counted)',
  })
  @IsOptional()
  @IsString()
  @Check('audit_cursor', (v) => typeof v === 'string' && decodeCursor(v) !== undefined, 'cursor is not a next_cursor this API gave')
  cursor?: string;
}

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `GET /audit-logs/export`: the list's filters and the file format. */
export class AuditExportQueryDto extends AuditFilterQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: 'format must be csv or ndjson' })
  format: ExportFormat = 'csv';
}
