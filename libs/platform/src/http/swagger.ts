import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExtraModels, ApiOkResponse, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorBody } from './error-body.js';

/** Swagger: `{ data: [Dto], total, page, limit, totalPages }`. */
export const ApiPage = <T extends Type<unknown>>(dto: T, description?: string) =>
  applyDecorators(
    ApiExtraModels(dto),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['data', 'total', 'page', 'limit', 'totalPages'],
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(dto) } },
          total: { type: 'integer' },
          page: { type: 'integer' },
          limit: { type: 'integer' },
          totalPages: { type: 'integer' },
        },
      },
    }),
  );

/** Swagger: `{ data: [Dto] }`, a whole list that is not paged (a catalogue, a handful of rows). */
export const ApiList = <T extends Type<unknown>>(dto: T, description?: string) =>
  applyDecorators(
    ApiExtraModels(dto),
    ApiOkResponse({
      description,
      schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: { $ref: getSchemaPath(dto) } } } },
    }),
  );

/** Swagger: `{ data: Dto, message? }` with the given status description. */
export const ApiData = <T extends Type<unknown>>(dto: T, description?: string, status = 200) =>
  applyDecorators(
    ApiExtraModels(dto),
    ApiResponse({
      status,
      description,
      schema: {
        type: 'object',
        required: ['data'],
        properties: { data: { $ref: getSchemaPath(dto) }, message: { type: 'string' } },
      },
    }),
  );

/** Swagger: the 400 every validated body can answer. */
export const ApiInvalid = () =>
  ApiBadRequestResponse({ type: ErrorBody, description: 'Invalid input; every bad field is named in `details`' });

export class MessageResponseDto {
  @ApiProperty() message: string;
}
