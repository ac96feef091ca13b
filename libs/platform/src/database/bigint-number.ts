import type { ValueTransformer } from 'typeorm';

/** bigint columns arrive as strings; use it for counters, byte sizes and minor-unit amounts, which fit a JS number exactly (< 2^53). */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
