import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import type { MailMessage } from './mail-message.js';
import { MailTransport } from './mail-transport.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const link = 'http://atrium.test/reset-password?token=Zr3vQ0x9hTq8VkLw2mNc4pB7sYd1eGfJaKuXoHi5E0';
const message = { to: 'ann@example.test', subject: 'Reset', text: `Open ${link}`, links: [link] };

/** Sends one mail through the file transport under `env` and returns what was logged and written. */
async function sendToFile(env: Record<string, string>, mail: MailMessage = message): Promise<{ logged: string; written: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-mail-'));
  dirs.push(dir);
  const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  await new MailTransport(loadConfig({ DATA_DIR: dir, ...env })).send(mail, 'm1');
  const [file] = readdirSync(join(dir, 'mail'));
  return { logged: JSON.stringify(log.mock.calls), written: readFileSync(join(dir, 'mail', file), 'utf8') };
}

describe('the file mail transport', () => {
  it('logs the links outside production, so a developer can click them', async () => {
    const { logged, written } = await sendToFile({ NODE_ENV: 'development' });
    expect(written).toContain('Subject: Reset');
    expect(logged).toContain(link);
  });

  it('never logs links in production, where it runs only when MAIL_FILE_TRANSPORT allows it', async () => {
    const { logged, written } = await sendToFile({
      NODE_ENV: 'production',
      MAIL_FILE_TRANSPORT: 'true',
      JWT_SECRET: 'x'.repeat(40),
      ENCRYPTION_KEY: 'ab'.repeat(32),
      CORS_ORIGINS: 'https://app.example.com',
    });
    expect(written).toContain('Subject: Reset');
    expect(logged).toContain('Reset');
    expect(logged).not.toContain('Zr3vQ0x9hTq8VkLw2mNc4pB7sYd1eGfJaKuXoHi5E0');
  });

  it('writes the headers a message names into the file', async () => {
    const headers = { 'List-Unsubscribe': '<http://atrium.test/u?t=1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    const { written } = await sendToFile({ NODE_ENV: 'development' }, { ...message, headers });
    expect(written).toContain('List-Unsubscribe: <http://atrium.test/u?t=1>');
    expect(written).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });
});
