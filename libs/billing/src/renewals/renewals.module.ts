import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { RenewalMails } from './renewal-mails.js';
import { RenewalNotices } from './renewal-notices.js';
import { RenewalOutcomes } from './renewal-outcomes.js';
import { RenewalRows } from './renewal-rows.js';
import { RENEWAL_QUEUE, RenewalScanProcessor, RenewalScanScheduler } from './renewal-scan.js';
import { RenewalService } from './renewal.service.js';

/**
 * Renewals and dunning: the scan (`RenewalService.runDue`), its mails in every process (outbox subscriber), and the
 * job scheduler with its processor where workers run. Uses BillingConfig, PaymentService and PlanActivator from the
 * global BillingModule.
 */
@Module({})
export class RenewalsModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: RenewalsModule,
      imports: [AuditModule, BullModule.registerQueue({ name: RENEWAL_QUEUE })],
      providers: [
        RenewalRows,
        RenewalOutcomes,
        RenewalNotices,
        RenewalService,
        RenewalMails,
        ...(opts.workers ? [RenewalScanScheduler, RenewalScanProcessor] : []),
      ],
      exports: [RenewalService],
    };
  }
}
