import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AcrossTenants, Clock, type NamedStatement, Outbox, type RequestContext, returnedRows, runPreparedIn } from '@atrium/platform';
import { IntegrationsConfig } from '../integrations.config.js';
import { nextRetryDelayMs } from './retry-policy.js';
import { type ProcessingMode, WEBHOOK_EVENT_DEAD, WEBHOOK_EVENT_RETRY_DUE, type WebhookEventRetryDue } from './webhook-event-queue.js';
import { type ReceivedWebhookEvent, WebhookHandlerRegistry } from './webhook-handlers.js';

/** What one processing run ended in. */
export type ProcessingOutcome = 'completed' | 'ignored' | 'failed' | 'dead' | 'already_settled';

/** The payload of `webhook_event.dead` (the `integration.event_dead` notification). */
export interface WebhookEventDeadPayload {
  webhook_event_id: string;
  provider_id: string;
  provider_name: string;
  event_type: string | null;
  external_id: string;
  attempts: number;
  last_error: string;
}

const MAX_ERROR_LENGTH = 1000;

/** The statuses each mode may claim. */
const CLAIMABLE: Record<ProcessingMode, string[]> = {
  auto: ['received', 'processing', 'failed'],
  manual: ['received', 'processing', 'failed', 'dead'],
  forced: ['received', 'processing', 'failed', 'dead', 'completed', 'ignored'],
};

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
 * Claims a stored event for a run: locks its row until the run's transaction ends, if its status is one the run may
 * claim ($2) and, for a scheduled retry ($3), it has exactly the attempts before that one (a retry made stale by a
 * manual run does nothing). A concurrent run of the same event waits for the lock, then finds the status the first run
 * settled. Counts the attempts so far, so each attempt has its number. A lock, not an update: the settlement writes the
 * row once.
 */
const CLAIM: NamedStatement = {
  name: 'integrations_webhook_event_claim',
  text: `
  SELECT e.id, e.organization_id, e.provider_id, p.name AS provider_name, p.event_types, e.external_id, e.event_type, e.body,
         e.headers, (SELECT count(*)::int FROM webhook_event_attempts a WHERE a.event_id = e.id) AS attempts
    FROM webhook_events e JOIN webhook_providers p ON p.id = e.provider_id
   WHERE e.id = $1 AND e.status = ANY ($2::text[])
     AND ($3::int IS NULL OR (SELECT count(*) FROM webhook_event_attempts a WHERE a.event_id = e.id) = $3::int - 1)
     FOR NO KEY UPDATE OF e`,
};

/**
 * Takes up to $2 of a deployment's ($1, its queue prefix) received events, oldest first, for a worker process to run:
 * `processing`, with a lease ($3 seconds, in `next_attempt_at`) after which any worker of the deployment may take the
 * event again (its worker died). Rows a run holds are skipped (SKIP LOCKED), so any number of processes share the
 * backlog; one statement per batch, so the index's head, dead entries of events just settled included, is read once
 * per batch rather than once per event.
 */
const TAKE = `
  UPDATE webhook_events e SET status = 'processing', next_attempt_at = now() + make_interval(secs => $3)
   WHERE e.id IN (SELECT q.id FROM webhook_events q
                   WHERE q.scope = $1 AND (q.status = 'received' OR (q.status = 'processing' AND q.next_attempt_at < now()))
                   ORDER BY q.created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
  RETURNING e.id, e.organization_id, e.event_type, e.request_id`;

/** Gives taken events back (a worker process stopping before it ran them). */
const GIVE_BACK = `UPDATE webhook_events SET status = 'received', next_attempt_at = NULL WHERE id = ANY ($1::uuid[]) AND status = 'processing'`;

/** A received event taken for a first attempt. */
export type TakenWebhookEvent = { id: string; organization_id: string; event_type: string | null; request_id: string | null };

/** Records the attempt and settles the event in one statement (both run once per event: prepared per connection). */
const SETTLE: NamedStatement = {
  name: 'integrations_webhook_event_settle',
  text: `
  WITH attempt AS (
    INSERT INTO webhook_event_attempts (event_id, organization_id, attempt, started_at, duration_ms, outcome, error)
    VALUES ($1, $9, $2, $3, $4, $5, $6)
  )
  UPDATE webhook_events SET status = $7, retry_count = $2 - 1, last_error = $6, next_attempt_at = $8,
         processed_at = CASE WHEN $7 = 'failed' THEN NULL ELSE now() END
   WHERE id = $1`,
};

/** An event of a type nobody handles, settled in one statement: marked `ignored` with its attempt recorded. */
const IGNORE = `
  WITH settled AS (
    UPDATE webhook_events e SET status = 'ignored', processed_at = now(), last_error = NULL, next_attempt_at = NULL,
           retry_count = (SELECT count(*) FROM webhook_event_attempts a WHERE a.event_id = e.id)
     WHERE e.id = $1 AND e.status = ANY ($3::text[])
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
 * marked `ignored`. A throwing handler (a malformed payload included) records a failed attempt: with a retry left the
 * event is `failed` and its next attempt is queued after the configured wait (with jitter); after the last one it is
 * `dead` and the organization's integration admins are notified. A manual run that fails leaves a `dead` event dead.
 */
@Injectable()
export class WebhookEventProcessing {
  private readonly logger = new Logger('Integrations');

  constructor(
    private readonly dataSource: DataSource,
    private readonly handlers: WebhookHandlerRegistry,
    private readonly outbox: Outbox,
    private readonly config: IntegrationsConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * `type` (from the job or the take) lets an event nobody handles skip the claim; otherwise the stored row decides.
   * `attempt`: the scheduled retry this run is (absent for the first run and manual runs).
   */
  async process(
    ctx: RequestContext,
    eventId: string,
    type?: string | null,
    opts: { mode?: ProcessingMode; attempt?: number } = {},
  ): Promise<ProcessingOutcome> {
    const mode = opts.mode ?? 'auto';
    if (type !== undefined && !this.handlers.get(type)) {
      const ignored = returnedRows<{ attempt: number }>(await this.dataSource.query(IGNORE, [eventId, this.clock.now(), CLAIMABLE[mode]]));
      return ignored.length ? 'ignored' : 'already_settled';
    }
    // The claim, the handler and the settlement share one transaction: the claim's row lock makes a concurrent run of
    // the same event wait, then find it settled (its status no longer claimable); a failure rolls the claim back too.
    let claimed: { row: ClaimedRow; attempt: number; started: Date } | undefined;
    try {
      return await this.dataSource.transaction(async (em) => {
        const [row] = await runPreparedIn<ClaimedRow>(em.queryRunner, em, CLAIM, [eventId, CLAIMABLE[mode], opts.attempt ?? null]);
        if (!row) return 'already_settled';
        const attempt = row.attempts + 1;
        const started = this.clock.now();
        claimed = { row, attempt, started };
        const accepted = row.event_types.length === 0 || (row.event_type !== null && row.event_types.includes(row.event_type));
        const handler = accepted ? this.handlers.get(row.event_type) : undefined;
        if (!handler) {
          await this.settle(em, row, attempt, started, 'ignored');
          return 'ignored';
        }
        await handler.handle(this.received(row, attempt), em, ctx);
        await this.settle(em, row, attempt, started, 'completed');
        return 'completed';
      });
    } catch (err) {
      if (!claimed) throw err;
      const { row, attempt, started } = claimed;
      const message = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH) || 'Error';
      const outcome = await this.dataSource.transaction(async (em) => {
        // Claimed again for the record: another run may have settled the event since the rollback.
        const [again] = await runPreparedIn<ClaimedRow>(em.queryRunner, em, CLAIM, [eventId, CLAIMABLE[mode], attempt]);
        return again ? this.fail(em, ctx, row, attempt, started, message, mode) : ('already_settled' as const);
      });
      this.logger.warn(
        { webhook_event_id: row.id, type: row.event_type, attempt, outcome, err: message },
        'Webhook event processing failed',
      );
      return outcome;
    }
  }

  /**
   * Takes up to `limit` of the deployment's received events (and events whose worker's lease ran out) for first attempts
   * by this process; run each with `process`. Across organizations: the backlog is the deployment's.
   */
  @AcrossTenants()
  async take(scope: string, limit: number, leaseMs: number): Promise<TakenWebhookEvent[]> {
    return returnedRows<TakenWebhookEvent>(await this.dataSource.query(TAKE, [scope, limit, leaseMs / 1000]));
  }

  /** Gives back taken events this process will not run: received again, for any worker at once. */
  @AcrossTenants()
  async giveBack(ids: string[]): Promise<void> {
    if (ids.length) await this.dataSource.query(GIVE_BACK, [ids]);
  }

  /** A failed attempt: `failed` with its retry queued (through the outbox, so it survives a crash), or `dead`. */
  private async fail(
    em: EntityManager,
    ctx: RequestContext,
    row: ClaimedRow,
    attempt: number,
    started: Date,
    error: string,
    mode: ProcessingMode,
  ): Promise<'failed' | 'dead'> {
    const delay = attempt < this.config.maxAttempts ? nextRetryDelayMs(this.config.retryDelaysMs, this.config.retryJitter, attempt) : null;
    if (delay === null) {
      await this.settle(em, row, attempt, started, 'dead', error);
      // The admins hear of an event once, when its scheduled attempts run out; a manual run of a dead event is theirs.
      if (mode === 'auto') {
        this.outbox.add(em, {
          name: WEBHOOK_EVENT_DEAD,
          organizationId: row.organization_id,
          requestId: ctx.requestId,
          payload: {
            webhook_event_id: row.id,
            provider_id: row.provider_id,
            provider_name: row.provider_name,
            event_type: row.event_type,
            external_id: row.external_id,
            attempts: attempt,
            last_error: error,
          } satisfies WebhookEventDeadPayload,
        });
      }
      return 'dead';
    }
    const runAt = new Date(this.clock.now().getTime() + delay);
    await this.settle(em, row, attempt, started, 'failed', error, runAt);
    this.outbox.add(em, {
      name: WEBHOOK_EVENT_RETRY_DUE,
      organizationId: row.organization_id,
      requestId: ctx.requestId,
      payload: {
        webhook_event_id: row.id,
        type: row.event_type,
        attempt: attempt + 1,
        run_at: runAt.toISOString(),
      } satisfies WebhookEventRetryDue,
    });
    return 'failed';
  }

  private async settle(
    em: EntityManager,
    { id, organization_id: organizationId }: Pick<ClaimedRow, 'id' | 'organization_id'>,
    attempt: number,
    started: Date,
    status: 'completed' | 'ignored' | 'failed' | 'dead',
    error: string | null = null,
    nextAttemptAt: Date | null = null,
  ): Promise<void> {
    const duration = Math.max(0, this.clock.now().getTime() - started.getTime());
    const outcome = status === 'dead' ? 'failed' : status;
    await runPreparedIn(em.queryRunner, em, SETTLE, [
      id,
      attempt,
      started,
      duration,
      outcome,
      error,
      status,
      nextAttemptAt,
      organizationId,
    ]);
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
