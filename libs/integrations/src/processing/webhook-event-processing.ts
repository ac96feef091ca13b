import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, type RequestContext, returnedRows } from '@atrium/platform';
import { type ReceivedWebhookEvent, WebhookHandlerRegistry } from './webhook-handlers.js';

/** What one processing run ended in. */
export type ProcessingOutcome = 'completed' | 'ignored' | 'failed' | 'already_settled';

const MAX_ERROR_LENGTH = 1000;

type ClaimedRow = {
  id: string;
  organization_id: string;
  provider_id: string;
  provider_name: string;
  event_types: string[];
  external_id: string;
  event_type: string | null;
  body: Buffer;
  headers: Record<string, string | string[]>;
  attempts: number;
};

/**
 * Claims a stored event for processing (`processing`), unless it is already settled (`completed`, `ignored`, `dead`).
 * Counts the attempts so far, so each attempt has its number.
 */
const CLAIM = `
  UPDATE webhook_events e SET status = 'processing'
    FROM webhook_providers p
   WHERE e.id = $1 AND p.id = e.provider_id AND e.status IN ('received', 'processing', 'failed')
  RETURNING e.id, e.organization_id, e.provider_id, p.name AS provider_name, p.event_types, e.external_id, e.event_type, e.body,
            e.headers, (SELECT count(*)::int FROM webhook_event_attempts a WHERE a.event_id = e.id) AS attempts`;

const RECORD_ATTEMPT = `
  INSERT INTO webhook_event_attempts (event_id, organization_id, attempt, started_at, duration_ms, outcome, error)
  SELECT id, organization_id, $2, $3, $4, $5, $6 FROM webhook_events WHERE id = $1`;

const SETTLE = `
  UPDATE webhook_events SET status = $2, retry_count = $3 - 1, last_error = $4, processed_at = CASE WHEN $2 = 'failed' THEN NULL ELSE now() END
   WHERE id = $1`;

/** An event of a type nobody handles, settled in one statement: marked `ignored` with its attempt recorded. */
const IGNORE = `
  WITH settled AS (
    UPDATE webhook_events e SET status = 'ignored', processed_at = now(), last_error = NULL,
           retry_count = (SELECT count(*) FROM webhook_event_attempts a WHERE a.event_id = e.id)
     WHERE e.id = $1 AND e.status IN ('received', 'processing', 'failed')
    RETURNING e.id, e.organization_id, e.retry_count)
  INSERT INTO webhook_event_attempts (event_id, organization_id, attempt, started_at, duration_ms, outcome)
  SELECT id, organization_id, retry_count + 1, $2, 0, 'ignored' FROM settled
  RETURNING attempt`;

const parse = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
};

/**
 * Processes one stored webhook event: the handler registered for its type runs in the transaction that marks it
 * `completed` (its effect happens once), a type without a handler — or outside the provider's `event_types` — is
 * marked `ignored`, and a throwing handler leaves it `failed` (retried by the queue). Every attempt is recorded with
 * its number, start, duration, outcome and error.
 */
@Injectable()
export class WebhookEventProcessing {
  private readonly logger = new Logger('Integrations');

  constructor(
    private readonly dataSource: DataSource,
    private readonly handlers: WebhookHandlerRegistry,
    private readonly clock: Clock,
  ) {}

  /** `type` (from the job) lets an event nobody handles skip the claim; otherwise the stored row decides. */
  async process(ctx: RequestContext, eventId: string, type?: string | null): Promise<ProcessingOutcome> {
    if (type !== undefined && !this.handlers.get(type)) {
      const ignored = returnedRows<{ attempt: number }>(await this.dataSource.query(IGNORE, [eventId, this.clock.now()]));
      return ignored.length ? 'ignored' : 'already_settled';
    }
    const [row] = returnedRows<ClaimedRow>(await this.dataSource.query(CLAIM, [eventId]));
    if (!row) return 'already_settled';
    const attempt = row.attempts + 1;
    const started = this.clock.now();
    const accepted = row.event_types.length === 0 || (row.event_type !== null && row.event_types.includes(row.event_type));
    const handler = accepted ? this.handlers.get(row.event_type) : undefined;
    if (!handler) {
      await this.dataSource.transaction((em) => this.settle(em, row.id, attempt, started, 'ignored'));
      return 'ignored';
    }
    try {
      return await this.dataSource.transaction(async (em) => {
        const [current] = await em.query<Array<{ status: string }>>(`SELECT status FROM webhook_events WHERE id = $1 FOR UPDATE`, [row.id]);
        if (current.status !== 'processing') return 'already_settled';
        await handler.handle(this.received(row, attempt), em, ctx);
        await this.settle(em, row.id, attempt, started, 'completed');
        return 'completed';
      });
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
      await this.dataSource.transaction((em) => this.settle(em, row.id, attempt, started, 'failed', message));
      this.logger.warn({ webhook_event_id: row.id, type: row.event_type, attempt, err: message }, 'Webhook event processing failed');
      throw err;
    }
  }

  private async settle(
    em: EntityManager,
    id: string,
    attempt: number,
    started: Date,
    outcome: 'completed' | 'ignored' | 'failed',
    error: string | null = null,
  ): Promise<void> {
    await em.query(RECORD_ATTEMPT, [id, attempt, started, Math.max(0, this.clock.now().getTime() - started.getTime()), outcome, error]);
    await em.query(SETTLE, [id, outcome, attempt, error]);
  }

  private received(row: ClaimedRow, attempt: number): ReceivedWebhookEvent {
    return {
      id: row.id,
      organizationId: row.organization_id,
      providerId: row.provider_id,
      providerName: row.provider_name,
      externalId: row.external_id,
      type: row.event_type!,
      payload: parse(row.body),
      body: row.body,
      headers: row.headers,
      attempt,
    };
  }
}
