import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { OutboxCommitHook } from './outbox-commit-hook.js';
import { Outbox } from './outbox.js';
import { pruneOutbox } from './outbox-pruner.js';
import { OutboxRelay } from './outbox-relay.js';

const PRUNE_EVERY_MS = 15 * 60_000;

/**
 * Runs this process's outbox relay (unless OUTBOX_RELAY=false) and the periodic pruning. Both start after
 * every module's `onModuleInit`, so all subscribers are registered before the first delivery.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private relay?: OutboxRelay;
  private pruneTimer?: NodeJS.Timeout;
  private pruning?: Promise<unknown>;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    // This process's commits wake its relay at once; other processes' come through NOTIFY.
    OutboxCommitHook.on(dataSource).onCommitted(() => this.relay?.wake());
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.outbox.relay) return;
    this.relay = new OutboxRelay(this.dataSource, this.outbox, {
      listenUrl: this.config.database.url!,
      pollIntervalMs: this.config.outbox.pollIntervalMs,
      maxAttempts: this.config.outbox.maxAttempts,
      handlerTimeoutMs: this.config.outbox.handlerTimeoutMs,
    });
    await this.relay.start();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    this.prune();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.pruning;
    await this.relay?.stop();
  }

  /** One pruning pass; a process that finds another one pruning skips its turn. */
  private prune(): void {
    if (this.pruning) return;
    this.pruning = pruneOutbox(this.dataSource, this.config.outbox.retentionDays)
      .then((n) => n && this.logger.log(`Pruned ${n} delivered outbox event(s)`))
      .catch((err: unknown) => this.logger.error({ err }, 'Outbox pruning failed'))
      .finally(() => (this.pruning = undefined));
  }
}
