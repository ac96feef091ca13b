import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@atrium/platform';
import type { Document } from '../document.entity.js';

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;

export class DocumentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Q3 board deck', maxLength: TITLE_MAX_LENGTH }) title: string;
  @ApiProperty({ nullable: true, type: String, maxLength: DESCRIPTION_MAX_LENGTH }) description: string | null;
  @ApiProperty({ example: 'board-deck.pptx', description: "The uploader's filename, sanitized (metadata only)" }) filename: string;
  @ApiProperty({
    example: 'application/pdf',
    description: 'Detected from the content (magic bytes, or UTF-8 text), never the client claim',
  })
  content_type: string;
  @ApiProperty({ example: 482133, description: 'Bytes' }) size: number;
  @ApiProperty({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'SHA-256 of the content, hex; the download ETag',
  })
  checksum: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Who uploaded it (null once that account is gone)' })
  uploaded_by: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static from(d: Document): DocumentDto {
    return {
      id: d.id,
      title: d.title,
      description: d.description,
      filename: d.filename,
      content_type: d.contentType,
      size: d.size,
      checksum: d.checksum,
      uploaded_by: d.uploadedBy,
      created_at: d.createdAt.toISOString(),
    };
  }
}

export class DocumentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Case-insensitive text in the title or the filename' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() || undefined : value))
  @IsString()
  @MaxLength(200)
  search?: string;
}

/** The multipart body of an upload (Swagger only: the handler streams it). */
export class UploadDocumentBody {
  @ApiProperty({ type: 'string', format: 'binary', description: "One file, at most the package's per-file limit" }) file: unknown;
  @ApiProperty({ maxLength: TITLE_MAX_LENGTH }) title: string;
  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH }) description?: string;
}

export class DownloadUrlDto {
  @ApiProperty({ example: 'https://api.example.com/api/v1/documents/download?token=d1.eyJ…', description: 'Works without credentials' })
  url: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
}
