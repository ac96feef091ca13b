import type { TestApp } from './test-app.js';

/** An outbox event as committed: its envelope and payload. */
export interface CommittedEvent<T = Record<string, unknown>> {
  organization_id: string | null;
  actor_id: string | null;
  payload: T;
}

/**
 * The committed outbox events named `name` whose payload's `field` is `value`, oldest first. Events are written in
 * the transaction of the change, so once the request that made it has answered, its events are all here.
 */
export async function outboxEvents<T = Record<string, unknown>>(
  t: TestApp,
  name: string,
  field: string,
  value: string,
): Promise<CommittedEvent<T>[]> {
  return t.db.query(`SELECT organization_id, actor_id, payload FROM outbox_events WHERE name = $1 AND payload ->> $2 = $3 ORDER BY seq`, [
    name,
    field,
    value,
  ]);
}
