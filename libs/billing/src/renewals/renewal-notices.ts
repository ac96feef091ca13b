import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@atrium/platform';
import { BillingConfig } from '../billing.config.js';
import { currentPlan } from '../plans/current-plan.js';
import { RENEWAL_UPCOMING, type RenewalUpcomingPayload } from './renewal-events.js';
import { renewalPrice } from './renewal-price.js';
import { RenewalRows } from './renewal-rows.js';

/**
 * The "upcoming renewal" notice, `noticeDays` before a paid period with auto-renew on ends: the amount the renewal
 * will charge (on the package a scheduled change moves to, if any) and the date. Once per period: the row's
 * `notice_sent_at` is claimed in the transaction that writes the outbox event the mail subscriber sends.
 */
@Injectable()
export class RenewalNotices {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: RenewalRows,
    private readonly config: BillingConfig,
    private readonly outbox: Outbox,
  ) {}

  /** Sends the notices due at `at`; returns how many this call sent. */
  async sendDue(at: Date): Promise<number> {
    let sent = 0;
    for (const row of await this.rows.noticeCandidates(at, this.config.renewal.noticeDays)) {
      const done = await this.dataSource.transaction(async (em) => {
        const { subscription: s } = await currentPlan(em, row.organizationId, true);
        if (!s.autoRenew || s.currentPeriodEnd?.getTime() !== row.periodEnd.getTime()) return false;
        const change = s.scheduledChange;
        // A move to Free ends the package instead: nothing will be charged, so there is no renewal to announce.
        if (change && !change.period) return false;
        const on = change
          ? { packageId: change.packageId, period: change.period!, customMonths: change.customMonths ?? null }
          : { packageId: s.packageId, period: s.period!, customMonths: s.customMonths };
        if (!on.period) return false;
        const price = await renewalPrice(em, on);
        if (!(await this.rows.claimNotice(em, row.id, at))) return false;
        this.outbox.add(em, {
          name: RENEWAL_UPCOMING,
          organizationId: row.organizationId,
          requestId: `renewal-notice:${row.id}`,
          payload: {
            renewal_id: row.id,
            package_id: price.pkg.id,
            package_name: price.pkg.name,
            period_end: row.periodEnd.toISOString(),
            period: price.period,
            amount_minor: price.amountMinor,
            currency: price.currency,
            card_last4: s.paymentMethodLast4,
          } satisfies RenewalUpcomingPayload,
        });
        return true;
      });
      if (done) sent++;
    }
    return sent;
  }
}
