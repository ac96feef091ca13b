import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server that takes `delayMs` to accept each message (a slow relay), so a sender killed meanwhile is
 * caught in the middle of sending. Like a real server, it keeps a message only once it has answered 250: a sender
 * that disconnects before that has sent nothing.
 */
export class SlowMailbox {
  readonly accepted: Array<{ to: string[]; subject: string; messageId: string }> = [];
  private server?: SMTPServer;
  url = '';

  constructor(private readonly delayMs: number) {}

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then(async (mail) => {
            await new Promise((r) => setTimeout(r, this.delayMs));
            if (this.closed.has(session.id)) return callback(new Error('client went away'));
            this.accepted.push({
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: mail.subject ?? '',
              messageId: mail.messageId ?? '',
            });
            callback();
          })
          .catch(callback);
      },
      onClose: (session) => {
        this.closed.add(session.id);
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.server.address() as { port: number };
    this.url = `smtp://127.0.0.1:${port}`;
    return this;
  }

  private readonly closed = new Set<string>();

  to(address: string, subject: RegExp): number {
    return this.accepted.filter((m) => m.to.includes(address.toLowerCase()) && subject.test(m.subject)).length;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
