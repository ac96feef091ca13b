import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

/** Far beyond any real list, and small enough that the row offset stays an exact number PostgreSQL takes. */
export const MAX_PAGE = 10_000_000;

/** `?page&limit` with the house defaults and cap. */
export class PageQueryDto {
  /** List filters hold no secrets: the validation pipe may remember a validated query string (see validation.pipe). */
  static readonly rememberValidation = true;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit = 10;
}

/** The list envelope: `{ data, total, page, limit, totalPages }`. */
export interface Page<T> {
  data: T[];
  total: number;
  page: number;
  limit: number;
  totalPages: number;
}

export function toPage<T>(data: T[], total: number, query: { page: number; limit: number }): Page<T> {
  return { data, total, page: query.page, limit: query.limit, totalPages: Math.ceil(total / query.limit) };
}

export function pageOffset(query: { page: number; limit: number }): number {
  return (query.page - 1) * query.limit;
}
