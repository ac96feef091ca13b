import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { Clock, TenantScopedWorkerHost } from '@atrium/platform';
import { BillingConfig } from '../../billing.config.js';
import { SANDBOX_CALLBACK_QUEUE, type SandboxCallbackJob } from './sandbox-callbacks.js';
import { SandboxLedger } from './sandbox-ledger.js';
import { signSandboxPayload } from './sandbox-signature.js';

/** How long a callback may take to be answered before the attempt counts as failed. */
const CALLBACK_TIMEOUT_MS = 10_000;

/**
 * Sends a sandbox event to Atrium's callback URL, signed at the moment it is sent (a fresh `t` on every attempt, as
 * Stripe does). A 2xx marks it delivered; anything else throws, and BullMQ tries again with backoff.
 */
@Processor(SANDBOX_CALLBACK_QUEUE)
export class SandboxCallbackProcessor extends TenantScopedWorkerHost {
  constructor(
    private readonly config: BillingConfig,
    private readonly ledger: SandboxLedger,
    private readonly clock: Clock,
  ) {
    super();
  }

  protected async run(job: Job<SandboxCallbackJob>): Promise<{ delivered: boolean; status?: number }> {
    const sandbox = this.config.sandbox;
    if (!sandbox) throw new Error('The sandbox gateway is not offered here: its callbacks cannot be signed');
    const eventId = job.data.data.event_id;
    const payload = await this.ledger.claimForDelivery(eventId);
    if (!payload) return { delivered: false };
    const body = JSON.stringify(payload);
    const res = await fetch(sandbox.callbackUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signSandboxPayload(body, sandbox.webhookSecret, this.clock.now()),
        'user-agent': 'Atrium-Sandbox-Gateway/1.0',
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (res.status < 200 || res.status > 299) throw new Error(`The callback of sandbox event ${eventId} was answered ${res.status}`);
    await this.ledger.markDelivered(eventId, this.clock.now());
    return { delivered: true, status: res.status };
  }
}
