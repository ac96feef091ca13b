import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config.js';
import type { MailMessage } from './mail-message.js';

/** Delivers rendered mail: over SMTP when SMTP_URL is set, else as .eml files under DATA_DIR/mail (in production only with MAIL_FILE_TRANSPORT=true). */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly smtp?: Transporter;
  private readonly builder: Transporter;
  private readonly dir: string;

  constructor(private readonly config: AppConfig) {
    if (config.mail.smtpUrl) this.smtp = nodemailer.createTransport(config.mail.smtpUrl);
    this.builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    this.dir = join(config.dataDir, 'mail');
  }

  async send(message: MailMessage, messageId: string): Promise<void> {
    const mail = {
      from: this.config.mail.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
      messageId: `<${messageId}@atrium>`,
    };
    if (this.smtp) {
      await this.smtp.sendMail(mail);
      this.logger.log({ messageId, subject: message.subject }, 'Mail sent over SMTP');
      return;
    }
    const built = (await this.builder.sendMail(mail)) as { message: Buffer };
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${messageId}.eml`);
    await writeFile(file, built.message);
    // Links carry one-time tokens: handy for a developer, never written to production logs.
    const links = this.config.isProduction ? {} : { links: message.links ?? [] };
    this.logger.log({ file, subject: message.subject, ...links }, 'Mail written to file');
  }

  onApplicationShutdown(): void {
    this.smtp?.close();
  }
}
