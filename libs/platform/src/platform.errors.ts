import { defineErrors } from './http/error-codes.js';

/**
 * The platform's own codes: authentication at the edge, permissions, request bodies, validation and rate limits.
 * Nest's HttpExceptions (unknown route, wrong method…) keep the filter's generic code for their status.
 */
export const PlatformError = defineErrors('platform', {
  unauthorized: { kind: 'unauthorized', message: 'Authentication required' },
  missing_credentials: { kind: 'unauthorized', message: 'Authentication required: send a bearer token or an x-api-key' },
  missing_permission: { kind: 'forbidden', message: 'This action requires a permission you do not have' },
  user_session_required: { kind: 'forbidden', message: 'This action needs a signed-in user, not an API key' },
  validation_failed: { kind: 'bad_request', message: 'Invalid request' },
  malformed_json: { kind: 'bad_request', message: 'Request body is not valid JSON' },
  unreadable_body: { kind: 'bad_request', message: 'Request body could not be read' },
  payload_too_large: { kind: 'payload_too_large', message: 'Request body is too large' },
  unsupported_encoding: { kind: 'unsupported_media_type', message: 'Unsupported body encoding' },
  invalid_utf8: { kind: 'bad_request', message: 'Request body is not valid UTF-8' },
  body_too_deep: { kind: 'bad_request', message: 'Request body is nested too deeply (at most 64 levels)' },
  unsupported_media_type: { kind: 'unsupported_media_type', message: 'Send the body as application/json' },
  rate_limited: { kind: 'too_many_requests', message: 'Too many requests; try again later' },
});
