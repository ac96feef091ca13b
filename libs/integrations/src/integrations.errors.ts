import { defineErrors } from '@atrium/platform';

/** Integrations: webhook providers, the receiving path and the event log; one meaning per code. */
export const IntegrationsError = defineErrors('integrations', {
  // Also another organization's provider, and (receiving) an organization or provider name nobody has.
  provider_not_found: { kind: 'not_found', message: 'Webhook provider not found' },
  provider_name_taken: { kind: 'conflict', message: 'A webhook provider of this organization already has this name' },
  provider_gone: { kind: 'gone', message: 'This webhook provider was deleted: stop sending' },
  webhook_event_not_found: { kind: 'not_found', message: 'Webhook event not found' },
  webhook_event_settled: {
    kind: 'conflict',
    message: 'The event is completed or ignored: there is nothing to retry (replay its window with force to run its handler again)',
  },
  replay_window_too_large: { kind: 'bad_request', message: 'The replay window holds more events than one replay queues: narrow it' },
  tenant_required: { kind: 'bad_request', message: 'Name the organization: X-Tenant-Domain: <slug>' },
  signature_header_missing: { kind: 'bad_request', message: 'A signature header this provider requires is missing' },
  signature_timestamp_out_of_tolerance: {
    kind: 'bad_request',
    message: 'The signature timestamp is missing, malformed or more than 5 minutes from now',
  },
  signature_invalid: { kind: 'unauthorized', message: 'The signature does not match the body under any of the provider’s secrets' },
  // Health, status and data sync.
  sync_in_progress: { kind: 'conflict', message: 'A sync of this type from this provider is already queued or running' },
  provider_has_no_base_url: { kind: 'unprocessable', message: 'This provider has no base_url to sync from: set one first' },
});
