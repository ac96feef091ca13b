import type { EntityManager } from 'typeorm';
import type { OutboxEvent } from '@atrium/platform';
import type { Recipient } from '../delivery/recipients.js';

/** An open digest: what one user gathers of one type in one group of one organization. */
export interface DigestRow {
  id: string;
  organization_id: string;
  user_id: string;
  type: string;
  group_key: string;
}

/** A digest that gathered its first event just now, so its job must be scheduled. */
export interface OpenedDigest {
  id: string;
  organization_id: string;
  user_id: string;
  group: string;
}

interface EventRow {
  id: string;
  name: string;
  organization_id: string;
  payload: unknown;
  actor_id: string | null;
  request_id: string | null;
  created_at: Date;
}

/**
 * The SQL of digests. Every statement names the organization. Writers of one digest serialize on its row (gathering
 * upserts it, cancelling and sending lock it), and whoever removes items locks their events in id order first, so
 * the last one to let go of an event sees no other item and deletes it.
 */
export const DigestStore = {
  /**
   * Adds `event` to the open digest of each recipient for this type and group, opening those that have none (due at
   * `due`). Answers the digests it opened.
   */
  async gather(
    em: EntityManager,
    type: string,
    group: string,
    event: OutboxEvent,
    recipients: Recipient[],
    due: Date,
  ): Promise<OpenedDigest[]> {
    // In key order, so two transactions gathering for the same users lock their digest rows in the same order.
    const sorted = [...recipients].sort((a, b) => `${a.organizationId}:${a.userId}`.localeCompare(`${b.organizationId}:${b.userId}`));
    const organizations = [...new Set(sorted.map((r) => r.organizationId))];
    await em.query(
      `INSERT INTO notification_digest_events (id, organization_id, name, payload, actor_id, request_id, created_at)
       SELECT $1, o, $3, $4::jsonb, $5, $6, $7 FROM unnest($2::uuid[]) AS o
       ON CONFLICT DO NOTHING`,
      [
        event.id,
        organizations,
        event.name,
        JSON.stringify(event.payload ?? null),
        event.actorId ?? null,
        event.requestId ?? null,
        event.createdAt,
      ],
    );
    // A digest its job deleted meanwhile is no conflict any more: the row is inserted anew and opens a new window.
    const digests: Array<{ id: string; organization_id: string; user_id: string; opened: boolean }> = await em.query(
      `INSERT INTO notification_digests AS d (organization_id, user_id, type, group_key, due_at)
       SELECT o, u, $3, $4, $5 FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS r (o, u, n) ORDER BY n
       ON CONFLICT ON CONSTRAINT uq_notification_digests_open DO UPDATE SET due_at = d.due_at
       RETURNING id, organization_id, user_id, (xmax = 0) AS opened`,
      [sorted.map((r) => r.organizationId), sorted.map((r) => r.userId), type, group, due],
    );
    await em.query(
      `INSERT INTO notification_digest_items (digest_id, event_id, organization_id)
       SELECT d, $3, o FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS t (d, o, n) ORDER BY n
       ON CONFLICT DO NOTHING`,
      [digests.map((d) => d.id), digests.map((d) => d.organization_id), event.id],
    );
    return digests.filter((d) => d.opened).map((d) => ({ id: d.id, organization_id: d.organization_id, user_id: d.user_id, group }));
  },

  /** The open digest of this user, type and group, locked until the transaction ends; null when there is none. */
  async lockOpen(em: EntityManager, organizationId: string, userId: string, type: string, group: string): Promise<DigestRow | null> {
    const [row]: DigestRow[] = await em.query(
      `SELECT id, organization_id, user_id, type, group_key FROM notification_digests
        WHERE organization_id = $1 AND user_id = $2 AND type = $3 AND group_key = $4 FOR UPDATE`,
      [organizationId, userId, type, group],
    );
    return row ?? null;
  },

  /** The digest by id, locked until the transaction ends; null once it was sent or dropped. */
  async lock(em: EntityManager, organizationId: string, id: string): Promise<DigestRow | null> {
    const [row]: DigestRow[] = await em.query(
      `SELECT id, organization_id, user_id, type, group_key FROM notification_digests WHERE id = $1 AND organization_id = $2 FOR UPDATE`,
      [id, organizationId],
    );
    return row ?? null;
  },

  /** What a digest gathered, in the order it was gathered (oldest first). */
  async events(em: EntityManager, digest: DigestRow): Promise<OutboxEvent[]> {
    const rows: EventRow[] = await em.query(
      `SELECT e.id, e.name, e.organization_id, e.payload, e.actor_id, e.request_id, e.created_at
         FROM notification_digest_items i
         JOIN notification_digest_events e ON e.id = i.event_id AND e.organization_id = i.organization_id
        WHERE i.digest_id = $1 AND i.organization_id = $2
        ORDER BY i.seq`,
      [digest.id, digest.organization_id],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      organizationId: r.organization_id,
      payload: r.payload,
      actorId: r.actor_id ?? undefined,
      requestId: r.request_id ?? undefined,
      createdAt: new Date(r.created_at),
    }));
  },

  /** Takes these events out of the digest, deleting each event no other digest still holds. */
  async drop(em: EntityManager, digest: DigestRow, eventIds: string[]): Promise<void> {
    if (!eventIds.length) return;
    const params = [digest.organization_id, eventIds];
    await em.query(
      `SELECT 1 FROM notification_digest_events WHERE organization_id = $1 AND id = ANY ($2::uuid[]) ORDER BY id FOR UPDATE`,
      params,
    );
    await em.query(`DELETE FROM notification_digest_items WHERE organization_id = $1 AND event_id = ANY ($2::uuid[]) AND digest_id = $3`, [
      ...params,
      digest.id,
    ]);
    await em.query(
      `DELETE FROM notification_digest_events e WHERE e.organization_id = $1 AND e.id = ANY ($2::uuid[])
          AND NOT EXISTS (SELECT 1 FROM notification_digest_items i WHERE i.event_id = e.id AND i.organization_id = e.organization_id)`,
      params,
    );
  },

  /** Ends a locked digest: answers what it still held (oldest first) and deletes it with its items. */
  async close(em: EntityManager, digest: DigestRow): Promise<OutboxEvent[]> {
    const events = await DigestStore.events(em, digest);
    await DigestStore.drop(
      em,
      digest,
      events.map((e) => e.id),
    );
    await em.query(`DELETE FROM notification_digests WHERE id = $1 AND organization_id = $2`, [digest.id, digest.organization_id]);
    return events;
  },
};
