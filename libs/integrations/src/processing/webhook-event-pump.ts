import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Outbox, RequestContext, withTenant } from '@atrium/platform';
import { IntegrationsConfig } from '../integrations.config.js';
import { type TakenWebhookEvent, WebhookEventProcessing } from './webhook-event-processing.js';

/**
 * Runs the first attempt of every received webhook event of this deployment (worker processes only). The event row
 * is the queue entry: the pump takes batches of the deployment's oldest `received` rows (`processing`, under a lease of
 * WEBHOOK_PROCESSING_LEASE_SECONDS), and WEBHOOK_PROCESSING_CONCURRENCY runs process them, each in its own
 * transaction that claims the row again, runs the handler and settles it, so an effect happens once whoever runs it.
 * The receiving path of this process wakes the pump after each stored event; otherwise it looks every
 * WEBHOOK_POLL_INTERVAL_MS (events stored by api nodes). A process that dies leaves its taken events to any worker once
 * their lease runs out; one that stops gives back what it had not started. Retries, retry-now and replays are queue
 * jobs (`integrations`), scheduled through the outbox.
 */
@Injectable()
export class WebhookEventPump implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Integrations');
  private readonly pending: TakenWebhookEvent[] = [];
  private readonly runs = new Set<Promise<void>>();
  private taking?: Promise<void>;
  /** A wake-up while a batch was being taken: take again after it. */
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  /** When the last failure was logged: a database outage logs once per interval, not once per attempt. */
  private lastWarnedAt = 0;

  constructor(
    private readonly processing: WebhookEventProcessing,
    private readonly config: IntegrationsConfig,
    private readonly outbox: Outbox,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.processing.concurrency === 0) return;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.config.processing.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking events, lets the runs in flight finish, and gives back the events it had taken and not started. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.taking;
    const unstarted = this.pending.splice(0).map((e) => e.id);
    await Promise.all(this.runs);
    await this.processing.giveBack(unstarted).catch((err: unknown) => this.warn('giving back taken events failed', err));
  }

  /** Takes more events unless enough are waiting for a run. */
  wake(): void {
    if (this.stopped) return;
    if (this.taking) {
      this.again = true;
      return;
    }
    if (this.pending.length >= this.config.processing.concurrency) return;
    this.again = false;
    this.taking = this.take().finally(() => {
      this.taking = undefined;
      if (this.again) this.wake();
    });
  }

  private async take(): Promise<void> {
    const { concurrency, leaseMs } = this.config.processing;
    const limit = concurrency * 4;
    let batch: TakenWebhookEvent[];
    try {
      batch = await this.processing.take(this.outbox.scope, limit, leaseMs);
    } catch (err) {
      // The database unreachable, say: the next poll tries again.
      this.warn('taking received events failed', err);
      return;
    }
    this.pending.push(...batch);
    // A full batch: there may be more behind it.
    if (batch.length === limit) this.again = true;
    while (this.runs.size < concurrency && this.pending.length) {
      const run = this.run().finally(() => this.runs.delete(run));
      this.runs.add(run);
    }
  }

  private async run(): Promise<void> {
    for (let event = this.pending.shift(); event; event = this.pending.shift()) {
      // Refilled before it runs dry, so the runs do not wait for the next batch.
      if (this.pending.length < this.config.processing.concurrency) this.wake();
      const { id, organization_id: organizationId, event_type: type, request_id: requestId } = event;
      const ctx = RequestContext.system(requestId ?? `webhook-event:${id}`, organizationId);
      try {
        await withTenant(organizationId, () => this.processing.process(ctx, id, type));
      } catch (err) {
        // Not the handler's failure (that is recorded on the event): the database, say. The lease brings it back.
        this.warn(`processing webhook event ${id} failed`, err);
      }
    }
  }

  private warn(what: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnedAt < 10_000) return;
    this.lastWarnedAt = now;
    this.logger.warn(`Webhook event processing: ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
