import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { checkTotp, newTotpSecret, TOTP_PERIOD_SECONDS, totpUri } from './totp.js';

const secret = newTotpSecret();
/** The middle of a time step, so ±1 step is unambiguous. */
const now = Math.floor(1_800_000_000 / TOTP_PERIOD_SECONDS) * TOTP_PERIOD_SECONDS + 15;
const step = Math.floor(now / TOTP_PERIOD_SECONDS);
const codeAt = (offsetSteps: number) => generate({ secret, epoch: now + offsetSteps * TOTP_PERIOD_SECONDS });

describe('checkTotp', () => {
  it('accepts the current step and one step of drift either way, and reports the step it matched', async () => {
    for (const offset of [-1, 0, 1]) {
      const result = await checkTotp({ secret, code: await codeAt(offset), lastTimeStep: null, epoch: now });
      expect(result).toEqual({ ok: true, timeStep: step + offset });
    }
  });

  it('refuses codes two steps away', async () => {
    for (const offset of [-2, 2]) {
      expect(await checkTotp({ secret, code: await codeAt(offset), lastTimeStep: null, epoch: now })).toEqual({ ok: false, replay: false });
    }
  });

  it('refuses a code of the last accepted step or earlier as a replay, but accepts a later step', async () => {
    const current = await codeAt(0);
    expect(await checkTotp({ secret, code: current, lastTimeStep: step, epoch: now })).toEqual({ ok: false, replay: true });
    expect(await checkTotp({ secret, code: await codeAt(-1), lastTimeStep: step, epoch: now })).toEqual({ ok: false, replay: true });
    expect(await checkTotp({ secret, code: await codeAt(1), lastTimeStep: step, epoch: now })).toEqual({ ok: true, timeStep: step + 1 });
  });

  it('refuses as a replay, without throwing, when the last accepted step is past this clock’s window (a process whose clock runs ahead accepted it)', async () => {
    for (const ahead of [2, 6]) {
      const result = await checkTotp({ secret, code: await codeAt(0), lastTimeStep: step + ahead, epoch: now });
      expect(result).toEqual({ ok: false, replay: true });
    }
    expect(await checkTotp({ secret, code: '000000', lastTimeStep: step + 6, epoch: now })).toMatchObject({ ok: false });
  });

  it('refuses wrong, malformed and other-secret codes', async () => {
    const good = await codeAt(0);
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    expect((await checkTotp({ secret, code: wrong, lastTimeStep: null, epoch: now })).ok).toBe(false);
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456']) {
      expect(await checkTotp({ secret, code, lastTimeStep: null, epoch: now })).toEqual({ ok: false, replay: false });
    }
    const other = newTotpSecret();
    expect((await checkTotp({ secret: other, code: good, lastTimeStep: null, epoch: now })).ok).toBe(false);
  });

  it('builds an otpauth URI an authenticator app understands', () => {
    const uri = new URL(totpUri(secret, 'jane@acme.test'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Atrium');
    expect(decodeURIComponent(uri.pathname)).toContain('jane@acme.test');
  });
});
