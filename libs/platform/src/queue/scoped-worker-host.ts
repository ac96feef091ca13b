import { WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { acrossTenants, withTenant } from '../database/tenant-scope.js';

/** The organization a job runs for: its envelope's context's, or an `organizationId` of its data. */
function organizationOf(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as { ctx?: { organizationId?: unknown }; organizationId?: unknown };
  const id = d.ctx?.organizationId ?? d.organizationId;
  return typeof id === 'string' && id ? id : undefined;
}

/**
 * Every queue processor's base (row-level security, tenant-scope.ts): a job for an organization reads and writes that
 * organization's rows only; a job that names none is a sweep over every organization (renewal scan, retention,
 * probes) and runs across tenants. Subclasses implement `run` instead of `process`.
 */
export abstract class TenantScopedWorkerHost extends WorkerHost {
  override process(job: Job, token?: string): Promise<unknown> {
    const organizationId = organizationOf(job.data);
    const run = () => this.run(job, token);
    return organizationId ? withTenant(organizationId, run) : acrossTenants(run);
  }

  protected abstract run(job: Job, token?: string): Promise<unknown>;
}
