import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntitySubscriberInterface, type QueryRunner, type TransactionCommitEvent } from 'typeorm';

/** The channel relays LISTEN on; the notifier sends on it after commits that added events. */
export const OUTBOX_CHANNEL = 'atrium_outbox';

const ADDED = 'atriumOutboxAdded';

/** Marks the transaction `queryRunner` runs as one that added outbox events (see `OutboxNotifier`). */
export function markOutboxAdded(queryRunner: QueryRunner): void {
  (queryRunner.data ??= {})[ADDED] = true;
}

/**
 * Wakes relays after a transaction that added events commits: this process's relay at once, the others with a
 * NOTIFY sent on a connection of its own, coalesced (one in flight, one more if commits came meanwhile). Sent after
 * the commit instead of inside the writer's transaction because PostgreSQL serializes the commits of transactions
 * that NOTIFY (measured: one `outbox.add` with an in-transaction NOTIFY cut a refresh-like write's throughput by
 * 61 %). A notification lost in a crash right after the commit costs only latency: relays poll.
 */
@Injectable()
export class OutboxNotifier implements EntitySubscriberInterface, OnModuleInit {
  private readonly listeners: Array<() => void> = [];
  private sending?: Promise<void>;
  private again = false;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  /** Called after every commit (and savepoint release); acts only on the outermost commit of a transaction that added events. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (!data?.[ADDED] || event.queryRunner.isTransactionActive) return;
    data[ADDED] = false;
    for (const listener of this.listeners) listener();
    this.notifyOthers();
  }

  /** The relay of this process asks to be woken after each commit that added events. */
  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  private notifyOthers(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = (async () => {
      do {
        this.again = false;
        // A failed NOTIFY (e.g. during shutdown) only delays other relays until their next poll.
        await this.dataSource.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`).catch(() => undefined);
      } while (this.again && this.dataSource.isInitialized);
    })().finally(() => (this.sending = undefined));
  }
}
