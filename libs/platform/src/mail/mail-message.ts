import type { JobEnvelope } from '../queue/job-envelope.js';

/** A rendered mail, ready for a transport. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Links the mail carries (secrets: one-time tokens), logged by the file transport outside production so local users can click them. */
  links?: string[];
}

export const MAIL_QUEUE = 'mail';

/** A mail job names only its delivery (the idempotency key); the message waits in `mail_deliveries`. */
export type MailJob = JobEnvelope<Record<string, never>>;
