import type { JobEnvelope } from '../queue/job-envelope.js';

/** A rendered mail, ready for a transport. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Links the mail carries (secrets: one-time tokens), logged by the file transport outside production so local users can click them. */
  links?: string[];
  /**
   * Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). Names the transport sets itself
   * (From, To, Bcc, Subject, Content-Type, …) and values with line breaks are refused when the mail is queued.
   */
  headers?: Record<string, string>;
}

/** When a queued mail may go out. */
export interface MailSendOptions {
  /** Held until then (e.g. the end of the recipient's quiet hours); sent at once when absent or already past. */
  notBefore?: Date;
}

/** One mail of a batch (`MailService.sendAllIn`): the message, the key that sends it once, and when it may go. */
export interface OutgoingMail extends MailSendOptions {
  message: MailMessage;
  idempotencyKey: string;
}

export const MAIL_QUEUE = 'mail';

/** A mail job names only its delivery (the idempotency key); the message waits in `mail_deliveries`. */
export type MailJob = JobEnvelope<Record<string, never>>;
