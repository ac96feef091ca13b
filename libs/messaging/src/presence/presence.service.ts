import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AcrossTenants, Outbox, type RequestContext, Rooms, safeError, SocketReactionRegistry, withTenant } from '@atrium/platform';

/** How often an instance with sockets proves it is alive, and looks for instances that stopped. */
export const PRESENCE_HEARTBEAT_MS = 10_000;
/** An instance silent this long is gone: its sockets no longer count. */
export const PRESENCE_STALE_SECONDS = 30;

export type PresenceStatus = 'online' | 'offline';

/** The socket event (through the outbox) that tells an organization a member came online or went offline. */
export const PRESENCE_CHANGED = 'presence:changed';

export interface PresenceChanged {
  user_id: string;
  status: PresenceStatus;
}

/**
 * Who is online in an organization, across instances: a member is online while they have a socket acting for it on
 * any live instance. Each process counts its sockets per member in `presence_sockets` (keyed by its instance id); a
 * count's total crossing zero, under a per-member advisory lock, writes `presence:changed` to the organization's room
 * in the same transaction, so the announcements alternate in the order the changes happened. Instances beat every
 * 10 s while they hold sockets; one silent for 30 s is swept by any other (its members go offline unless they have
 * sockets elsewhere), and a process that shuts down sweeps itself.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Presence');
  /** This process, as a socket instance. */
  readonly instanceId = randomUUID();
  private registered = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly sockets: SocketReactionRegistry,
  ) {}

  onModuleInit(): void {
    this.sockets.onSocket({
      connected: (ctx) => this.change(ctx, +1),
      disconnected: (ctx) => this.change(ctx, -1),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.registered) return;
    try {
      await this.sweep([this.instanceId]);
    } catch (err) {
      this.logger.warn({ err: safeError(err) }, 'Presence: could not sweep this instance at shutdown');
    }
  }

  /** The members of the organization online now (user id and since when), oldest first. */
  async online(organizationId: string): Promise<Array<{ user_id: string; since: Date }>> {
    return this.dataSource.query(
      `SELECT user_id, min(since) AS since FROM presence_sockets WHERE organization_id = $1 GROUP BY user_id ORDER BY 2, 1`,
      [organizationId],
    );
  }

  /** One socket more (+1) or less (-1) for the context's member on this instance. */
  private async change(ctx: RequestContext, delta: 1 | -1): Promise<void> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    if (delta > 0) await this.register();
    await this.dataSource.transaction(async (em) => {
      await this.lockMember(em, organizationId, userId);
      if (delta > 0) {
        await em.query(
          `INSERT INTO presence_sockets (organization_id, user_id, instance_id, sockets) VALUES ($1, $2, $3, 1)
           ON CONFLICT (organization_id, user_id, instance_id) DO UPDATE SET sockets = presence_sockets.sockets + 1`,
          [organizationId, userId, this.instanceId],
        );
      } else {
        const key = [organizationId, userId, this.instanceId];
        const where = `organization_id = $1 AND user_id = $2 AND instance_id = $3`;
        const [, deleted] = await em.query<[unknown, number]>(`DELETE FROM presence_sockets WHERE ${where} AND sockets = 1`, key);
        const [, decremented] = deleted
          ? [null, 0]
          : await em.query<[unknown, number]>(`UPDATE presence_sockets SET sockets = sockets - 1 WHERE ${where}`, key);
        // Nothing counted here (this instance was swept, e.g. at shutdown): the offline was already announced.
        if (!deleted && !decremented) return;
      }
      const total = await this.total(em, organizationId, userId);
      // Online when the first socket arrives, offline when the last one goes: nothing to say in between.
      if (delta > 0 ? total === 1 : total === 0) this.announce(em, organizationId, userId, delta > 0 ? 'online' : 'offline');
    });
  }

  /**
   * Takes the sockets of these instances (or of every instance silent for PRESENCE_STALE_SECONDS) out of the counts,
   * announcing `offline` for members left with none. Safe to run anywhere, any number of times, concurrently.
   */
  @AcrossTenants()
  async sweep(instanceIds?: string[]): Promise<number> {
    const gone: Array<{ organization_id: string; user_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT p.organization_id, p.user_id
         FROM presence_sockets p LEFT JOIN socket_instances i ON i.id = p.instance_id
        WHERE ${instanceIds ? 'p.instance_id = ANY ($1::uuid[])' : `(i.id IS NULL OR i.heartbeat_at < now() - make_interval(secs => $1))`}`,
      [instanceIds ?? PRESENCE_STALE_SECONDS],
    );
    for (const { organization_id: organizationId, user_id: userId } of gone) {
      await withTenant(organizationId, () =>
        this.dataSource.transaction(async (em) => {
          await this.lockMember(em, organizationId, userId);
          const removed = await em.query<[unknown[], number]>(
            `DELETE FROM presence_sockets p
            WHERE p.organization_id = $1 AND p.user_id = $2
              AND ${
                instanceIds
                  ? 'p.instance_id = ANY ($3::uuid[])'
                  : `NOT EXISTS (SELECT 1 FROM socket_instances i WHERE i.id = p.instance_id AND i.heartbeat_at >= now() - make_interval(secs => $3))`
              }
           RETURNING 1`,
            [organizationId, userId, instanceIds ?? PRESENCE_STALE_SECONDS],
          );
          if (removed[1] > 0 && (await this.total(em, organizationId, userId)) === 0) this.announce(em, organizationId, userId, 'offline');
        }),
      );
    }
    await this.dataSource.query(
      `DELETE FROM socket_instances i
        WHERE (i.id = ANY ($1::uuid[]) OR i.heartbeat_at < now() - make_interval(secs => $2))
          AND NOT EXISTS (SELECT 1 FROM presence_sockets p WHERE p.instance_id = i.id)`,
      [instanceIds ?? [], PRESENCE_STALE_SECONDS],
    );
    return gone.length;
  }

  /** Counts only from an instance that is known alive: the first socket registers it and starts the heartbeat. */
  private async register(): Promise<void> {
    if (this.registered) return;
    await this.beat();
    this.registered = true;
    this.timer = setInterval(() => {
      void this.beat()
        .then(() => this.sweep())
        .catch((err: unknown) => this.logger.warn({ err: safeError(err) }, 'Presence heartbeat failed'));
    }, PRESENCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    await this.dataSource.query(`INSERT INTO socket_instances (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`, [
      this.instanceId,
    ]);
  }

  private async lockMember(em: EntityManager, organizationId: string, userId: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, [`presence:${organizationId}:${userId}`]);
  }

  private async total(em: EntityManager, organizationId: string, userId: string): Promise<number> {
    const [{ n }] = await em.query<Array<{ n: number }>>(
      `SELECT coalesce(sum(sockets), 0)::int AS n FROM presence_sockets WHERE organization_id = $1 AND user_id = $2`,
      [organizationId, userId],
    );
    return n;
  }

  private announce(em: EntityManager, organizationId: string, userId: string, status: PresenceStatus): void {
    const payload: PresenceChanged = { user_id: userId, status };
    this.outbox.add(em, { name: PRESENCE_CHANGED, organizationId, actorId: userId, payload, rooms: [Rooms.organization(organizationId)] });
  }
}
