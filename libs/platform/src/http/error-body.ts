import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape every failure answers with. */
export class ErrorBody {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({
    description: 'Human-readable summary; for validation errors, one line per problem',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  })
  message: string | string[];
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiPropertyOptional({ example: 'validation_failed', description: 'Stable machine-readable code' }) code?: string;
  @ApiPropertyOptional({ description: 'Structured details, e.g. each invalid field and its problems' }) details?: unknown;
  @ApiProperty({ example: '7f0c2b9e-…' }) requestId: string;
}
