import type { ValueTransformer } from 'typeorm';

/** bigint columns arrive as strings; every value here (bytes up to a few TiB) fits a JS number exactly. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
