import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { RequestContext, Rooms, SocketDirectory, TenantScopedWorkerHost } from '@atrium/platform';
import { CallLifecycle } from './call-lifecycle.js';
import { CallStore } from './call-store.js';
import { CALL_TIMEOUT_QUEUE, RECONNECT_GRACE_JOB, type ReconnectGraceJob, RING_TIMEOUT_JOB, type RingTimeoutJob } from './call-timeouts.js';

/**
 * Runs calls' timers. Safe twice: each looks at the locked call and acts only if the state it was set for still
 * holds (still ringing; the user still joined and still without a socket).
 */
@Processor(CALL_TIMEOUT_QUEUE)
export class CallTimeoutsProcessor extends TenantScopedWorkerHost {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lifecycle: CallLifecycle,
    private readonly sockets: SocketDirectory,
  ) {
    super();
  }

  protected async run(job: Job<RingTimeoutJob | ReconnectGraceJob>): Promise<{ changed: number }> {
    if (job.name === RING_TIMEOUT_JOB) return this.ringTimeout(job.data as RingTimeoutJob);
    if (job.name === RECONNECT_GRACE_JOB) return this.reconnectGrace(job.data as ReconnectGraceJob);
    throw new Error(`Unknown call timer ${job.name}`);
  }

  private async ringTimeout(job: RingTimeoutJob): Promise<{ changed: number }> {
    const ctx = RequestContext.fromJSON(job.ctx);
    return this.dataSource.transaction(async (em) => {
      const call = await CallStore.lockById(em, ctx.requireOrganizationId(), job.data.call_id);
      if (call?.status !== 'ringing') return { changed: 0 };
      await this.lifecycle.end(em, ctx, call, 'missed', null);
      return { changed: 1 };
    });
  }

  private async reconnectGrace(job: ReconnectGraceJob): Promise<{ changed: number }> {
    const ctx = RequestContext.fromJSON(job.ctx);
    const organizationId = ctx.requireOrganizationId();
    const userId = job.data.user_id;
    // Any socket of theirs for this organization, on any instance, means they came back.
    if ((await this.sockets.count(Rooms.member(organizationId, userId))) > 0) return { changed: 0 };
    return this.dataSource.transaction(async (em) => {
      let changed = 0;
      for (const callId of await CallStore.joinedCallIds(em, organizationId, userId)) {
        const call = await CallStore.lockById(em, organizationId, callId);
        if (!call || call.status === 'ended') continue;
        const me = (await CallStore.participants(em, call.id)).find((p) => p.user_id === userId);
        if (me?.state !== 'joined') continue;
        await this.lifecycle.leave(em, ctx, call, userId, 'disconnected');
        changed++;
      }
      return { changed };
    });
  }
}
