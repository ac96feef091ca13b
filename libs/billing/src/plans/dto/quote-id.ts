import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength } from 'class-validator';
import { QUOTE_TOKEN_MAX_LENGTH, QUOTE_TOKEN_PATTERN } from '../quote-token.js';

/** What a `quote_id` is, for Swagger. */
export const QUOTE_ID_DESCRIPTION =
  'The `quote_id` of calculate-upgrade-price: an opaque signed token (at most 600 characters), valid 30 minutes, used once';

/** A `quote_id` field: a string of a quote token's shape (its signature is checked when it is used). */
export const IsQuoteId = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    MaxLength(QUOTE_TOKEN_MAX_LENGTH),
    Matches(QUOTE_TOKEN_PATTERN, { message: 'quote_id must be a quote_id from calculate-upgrade-price' }),
  );
