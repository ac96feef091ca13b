/** A key was created in an organization: its admins hear of it (a key acts with its creator's permissions). */
export const API_KEY_CREATED = 'api_key.created';

/** Never the key nor its hash: outbox events are kept for days and pushed to clients. */
export interface ApiKeyCreatedPayload {
  api_key_id: string;
  name: string;
  created_by: string;
}
