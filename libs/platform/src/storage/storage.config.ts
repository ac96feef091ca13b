import 'reflect-metadata';
import { join } from 'node:path';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, Matches } from 'class-validator';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config.error.js';
import { emptyToUndefined } from '../config/config.schema.js';
import { readEnv } from '../config/load-config.js';
import type { S3Settings } from './s3-blob-storage.js';

/** The environment variables file storage reads, validated at boot. */
export class StorageEnv {
  /** `local`: files under `<DATA_DIR>/uploads`; `s3`: an S3-compatible bucket (S3_BUCKET, …). */
  @IsIn(['local', 's3'], { message: 'STORAGE_DRIVER must be local or s3' })
  STORAGE_DRIVER: 'local' | 's3' = 'local';

  /** An S3-compatible service other than AWS (MinIO, …); unset: AWS S3 in S3_REGION. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a bucket name (3-63 lowercase letters, digits, . or -)' })
  S3_BUCKET?: string;

  @IsString()
  @Matches(/^[a-z0-9-]+$/, { message: 'S3_REGION must look like us-east-1' })
  S3_REGION = 'us-east-1';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;
}

/** File storage's resolved settings: the local directory, or the bucket. */
export type StorageConfig = { driver: 'local'; root: string } | ({ driver: 's3' } & S3Settings);

/** Validates the storage environment; throws ConfigError naming every bad or missing variable. */
export function loadStorageConfig(app: AppConfig, source: Readonly<Record<string, string | undefined>> = app.source): StorageConfig {
  const { env, problems } = readEnv(StorageEnv, source);
  if (env.STORAGE_DRIVER === 's3') {
    if (!env.S3_BUCKET) problems.push('S3_BUCKET: required when STORAGE_DRIVER=s3');
    if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
      problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: give both, or neither to use the default AWS credential chain');
    }
  }
  if (problems.length) throw new ConfigError(problems);
  if (env.STORAGE_DRIVER === 'local') return { driver: 'local', root: join(app.dataDir, 'uploads') };
  return {
    driver: 's3',
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION,
    endpoint: env.S3_ENDPOINT?.replace(/\/+$/, ''),
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
  };
}
