/**
 * Headers nodemailer writes itself (addresses, identity, MIME structure, priority): a message's own `headers` may not
 * name them, so a caller can neither add a recipient (Bcc) nor change what the transport put there.
 */
const RESERVED = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
  'x-mailer',
  'x-priority',
  'x-msmail-priority',
  'importance',
  'otp-token',
  'dkim-signature',
]);

/** A header name as mail software writes them: letters, digits and inner hyphens (RFC 5322 allows more; nobody needs it). */
const NAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;
/** Control characters (tab aside): CR or LF would end the header and start one the caller chose. */
const hasControl = (value: string): boolean =>
  [...value].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && code !== 0x09) || code === 0x7f;
  });

/**
 * Throws on a header a message may not carry: a malformed or reserved name, or a value with a line break or other
 * control character. A programming error (messages are built by code, not typed by users), so a plain Error.
 */
export function assertSafeHeaders(headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!NAME.test(name)) throw new Error(`Mail header name ${JSON.stringify(name)} is not a header name`);
    if (RESERVED.has(name.toLowerCase())) throw new Error(`Mail header ${name} is set by the mail transport, not by a message`);
    if (typeof value !== 'string') throw new Error(`Mail header ${name} is not a string`);
    if (hasControl(value)) throw new Error(`Mail header ${name} has a line break or control character`);
  }
}
