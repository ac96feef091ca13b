import { defineErrors } from '@atrium/platform';

/** The audit trail's reading side: one meaning per code. */
export const AuditError = defineErrors('audit', {
  // Another organization's entry answers like a missing one.
  audit_log_not_found: { kind: 'not_found', message: 'Audit log entry not found' },
  audit_page_too_deep: {
    kind: 'bad_request',
    message: 'Numbered pages reach the newest 10,000 matching entries; page on with `cursor` (the previous page’s `next_cursor`)',
  },
  audit_export_busy: { kind: 'too_many_requests', message: 'Too many audit exports are running on this server; try again shortly' },
});
