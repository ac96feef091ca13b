import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { type AppConfig, ConfigError, readEnv } from '@atrium/platform';

/** The environment variables documents read, validated when the module boots. */
export class DocumentsEnv {
  /**
   * A blob no committed document backs (an upload that crashed or was abandoned before its row committed, a delete whose
   * blob removal failed) is swept once it is this old. Longer than the slowest upload may take: a blob still being
   * written when swept makes that upload fail (409 `upload_expired`).
   */
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(7 * 24 * 60)
  DOCUMENT_ORPHAN_MINUTES = 360;
}

/** Documents' resolved settings. */
export class DocumentsConfig {
  constructor(
    readonly orphanMinutes: number,
    /** Where signed download links point (the API's public URL). */
    readonly publicUrl: string,
  ) {}
}

/** Validates the documents environment; throws ConfigError naming every bad variable. */
export function loadDocumentsConfig(app: AppConfig, source: Readonly<Record<string, string | undefined>> = app.source): DocumentsConfig {
  const { env, problems } = readEnv(DocumentsEnv, source);
  if (problems.length) throw new ConfigError(problems);
  return new DocumentsConfig(env.DOCUMENT_ORPHAN_MINUTES, app.http.publicUrl);
}
