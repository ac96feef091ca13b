import { createHash } from 'node:crypto';
import type { RequestContext, SerializedContext } from '../context/request-context.js';

/** What every job carries: the context it runs for, an idempotency key, and its own data. */
export interface JobEnvelope<T> {
  ctx: SerializedContext;
  idempotencyKey: string;
  data: T;
}

export function envelope<T>(ctx: RequestContext, idempotencyKey: string, data: T): JobEnvelope<T> {
  return { ctx: ctx.toJSON(), idempotencyKey, data };
}

/** A job id BullMQ accepts on every backend, derived from the idempotency key so duplicates collapse. */
export function jobIdFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
}
