import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, registerDecorator, type ValidationArguments } from 'class-validator';
import type { MismatchKind } from '../audit-verifier.js';

/** `to` may not be before the field `other` (when both are valid dates). */
function NotBefore(other: string) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'notBefore',
      target: target.constructor,
      propertyName: property,
      constraints: [other],
      options: { message: `${property} must not be before ${other}` },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const start = (args.object as Record<string, unknown>)[other];
          if (typeof value !== 'string' || typeof start !== 'string') return true;
          const [a, b] = [Date.parse(start), Date.parse(value)];
          return Number.isNaN(a) || Number.isNaN(b) || b >= a;
        },
      },
    });
}

export class VerifyQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: "Check the seals with entries from this time on; omit to start at the chain's beginning",
  })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: "Check the seals with entries up to this time; omit to end at the chain's head",
  })
  @IsOptional()
  @IsDateString({ strict: true })
  @NotBefore('from')
  to?: string;
}

class SealHeadDto {
  @ApiProperty({ example: 42 }) sequence: number;
  @ApiProperty({ example: '9f2c…', description: "The seal's HMAC-SHA256, hex" }) mac: string;
}

class MismatchDto {
  @ApiProperty({
    enum: ['entry_changed', 'entry_missing', 'entry_added', 'seal_changed', 'chain_broken'],
    description:
      '`entry_changed`: an entry differs from what was sealed; `entry_missing`: a sealed entry is gone; `entry_added`: an entry ' +
      'sits in a sealed range it was not sealed in; `seal_changed`: a seal does not match its MAC; `chain_broken`: a seal does not ' +
      'link to the one before it (or to the retention checkpoint that removed it)',
  })
  kind: MismatchKind;

  @ApiProperty({ example: 7, description: 'The seal where the first mismatch is' }) seal_sequence: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The entry, when it is still there to name' })
  entry_id: string | null;
}

export class VerificationDto {
  @ApiProperty({ enum: ['ok', 'tampered'] }) status: 'ok' | 'tampered';
  @ApiPropertyOptional({ description: 'ok: seals recomputed' }) seals_checked?: number;
  @ApiPropertyOptional({ description: 'ok: entries whose digests matched their seals' }) entries_checked?: number;
  @ApiPropertyOptional({ description: 'ok: entries in the range newer than the newest seal (sealed within seconds)' })
  unsealed_entries?: number;
  @ApiPropertyOptional({
    type: SealHeadDto,
    nullable: true,
    description: 'ok: the newest seal checked. Record it outside the database: a later head must follow it (same sequence, same MAC)',
  })
  head?: SealHeadDto | null;
  @ApiPropertyOptional({ type: MismatchDto, description: 'tampered: the first seal or entry that does not match' })
  first_mismatch?: MismatchDto;
}
