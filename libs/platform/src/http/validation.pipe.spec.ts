import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { PageQueryDto } from './pagination.js';
import { createValidationPipe } from './validation.pipe.js';

class FilterQuery extends PageQueryDto {
  @IsOptional()
  @IsString()
  search?: string;
}

const query = (metatype: unknown) => ({ type: 'query' as const, metatype: metatype as never, data: undefined });

describe('validation of list queries', () => {
  it('gives every request its own DTO, typed and with defaults, also when the query string repeats', async () => {
    const pipe = createValidationPipe();
    const first = (await pipe.transform({ page: '2', search: 'ann' }, query(FilterQuery))) as FilterQuery;
    const second = (await pipe.transform({ page: '2', search: 'ann' }, query(FilterQuery))) as FilterQuery;
    for (const dto of [first, second]) {
      expect(dto).toBeInstanceOf(FilterQuery);
      expect(dto).toMatchObject({ page: 2, limit: 10, search: 'ann' });
    }
    expect(second).not.toBe(first);
    second.page = 9;
    const third = (await pipe.transform({ page: '2', search: 'ann' }, query(FilterQuery))) as FilterQuery;
    expect(third.page).toBe(2);
  });

  it('refuses a bad query every time, naming the field', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 2; i++) {
      await expect(pipe.transform({ page: '0', extra: 'x' }, query(FilterQuery))).rejects.toMatchObject({
        code: 'validation_failed',
        details: expect.arrayContaining([expect.objectContaining({ field: 'page' }), expect.objectContaining({ field: 'extra' })]),
      });
    }
  });
});

class QuoteBody {
  static readonly rememberValidation = true;

  @IsInt()
  @Min(1)
  package_id: number;

  @IsOptional()
  @IsString()
  period?: string;
}

const body = (metatype: unknown) => ({ type: 'body' as const, metatype: metatype as never, data: undefined });

describe('validation of small flat bodies that opt in', () => {
  it('gives every request its own DTO, also when the body repeats', async () => {
    const pipe = createValidationPipe();
    const first = (await pipe.transform({ package_id: 3, period: '1_month' }, body(QuoteBody))) as QuoteBody;
    first.package_id = 9;
    const second = (await pipe.transform({ package_id: 3, period: '1_month' }, body(QuoteBody))) as QuoteBody;
    expect(second).toBeInstanceOf(QuoteBody);
    expect(second).toEqual({ package_id: 3, period: '1_month' });
    expect(second).not.toBe(first);
    second.package_id = 7;
    expect(await pipe.transform({ package_id: 3, period: '1_month' }, body(QuoteBody))).toEqual({ package_id: 3, period: '1_month' });
  });

  it('refuses a bad body every time, also one that differs from a valid one only in its types', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({ package_id: 3 }, body(QuoteBody));
    for (let i = 0; i < 2; i++) {
      await expect(pipe.transform({ package_id: '3' }, body(QuoteBody))).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(pipe.transform({ package_id: 3, extra: { nested: true } }, body(QuoteBody))).rejects.toMatchObject({
        details: [expect.objectContaining({ field: 'extra' })],
      });
    }
  });
});
