import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { Trimmed } from '@atrium/platform';

export const MAX_NAME_LENGTH = 100;

/** A first or last name wherever an account's name is given: trimmed, 1–100 characters. */
export function PersonName(options: { example: string; required?: boolean; description?: string }) {
  const doc = { example: options.example, maxLength: MAX_NAME_LENGTH, description: options.description };
  return applyDecorators(
    ...(options.required ? [ApiProperty(doc)] : [ApiPropertyOptional(doc), IsOptional()]),
    Trimmed(),
    IsString(),
    MinLength(1),
    MaxLength(MAX_NAME_LENGTH),
  );
}
