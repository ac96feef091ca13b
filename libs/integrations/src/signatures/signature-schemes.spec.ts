import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { SCHEMES } from './schemes.js';
import { type SignedRequest, SigningSecret, verifyRequest } from './signature-scheme.js';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const body = Buffer.from(JSON.stringify({ event_id: 'e-1', type: 'user.created', email: 'ann@example.test' }));

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/** A request `scheme` signed with `secret` at `at` (default: now), as the receiving path sees it. */
function signed(name: keyof typeof SCHEMES, secret: string, opts: { at?: number; body?: Buffer } = {}): SignedRequest {
  const b = opts.body ?? body;
  return { body: b, headers: lower(SCHEMES[name].sign(b, secret, new Date(opts.at ?? NOW), 'msg_1')), nowMs: NOW };
}

const check = (name: keyof typeof SCHEMES, req: SignedRequest, ...secrets: string[]) =>
  verifyRequest(
    SCHEMES[name],
    req,
    secrets.map((s) => new SigningSecret(s)),
  );

const oneByteChanged = (b: Buffer) => {
  const copy = Buffer.from(b);
  copy[copy.length - 3] ^= 1;
  return copy;
};

describe.each(['hmac-sha256', 'standard-webhooks', 'stripe'] as const)('the %s scheme', (name) => {
  const scheme = SCHEMES[name];
  const secret = scheme.newSecret();
  const other = scheme.newSecret();

  it('verifies what it signed, under the current or the previous secret', () => {
    expect(check(name, signed(name, secret), secret)).toBeUndefined();
    expect(check(name, signed(name, secret), other, secret)).toBeUndefined();
  });

  it('refuses a wrong secret, and a body changed by one byte', () => {
    expect(check(name, signed(name, secret), other)).toBe('signature');
    expect(check(name, { ...signed(name, secret), body: oneByteChanged(body) }, secret)).toBe('signature');
  });

  it('refuses a signature of the wrong length', () => {
    const req = signed(name, secret);
    const header = scheme.requiredHeaders.at(-1)!;
    const value = req.headers[header] as string;
    expect(check(name, { ...req, headers: { ...req.headers, [header]: value.slice(0, -2) } }, secret)).toBe('signature');
    expect(check(name, { ...req, headers: { ...req.headers, [header]: `${value}00` } }, secret)).toBe('signature');
  });

  it('names a missing header before anything else', () => {
    for (const header of scheme.requiredHeaders) {
      const req = signed(name, secret);
      const headers = { ...req.headers };
      delete headers[header];
      expect(check(name, { ...req, headers }, secret)).toBe('header_missing');
    }
  });

  it('makes new secrets it accepts, different each time', () => {
    expect(scheme.secretProblems(secret)).toEqual([]);
    expect(secret).not.toBe(other);
    expect(scheme.secretProblems('short')).not.toEqual([]);
  });
});

describe.each(['standard-webhooks', 'stripe'] as const)('the %s timestamp', (name) => {
  const secret = SCHEMES[name].newSecret();

  it('is accepted up to 5 minutes either way, refused beyond (stale or future)', () => {
    for (const offset of [-300_000, 300_000, 0]) expect(check(name, signed(name, secret, { at: NOW + offset }), secret)).toBeUndefined();
    expect(check(name, signed(name, secret, { at: NOW - 301_000 }), secret)).toBe('timestamp');
    expect(check(name, signed(name, secret, { at: NOW + 301_000 }), secret)).toBe('timestamp');
  });
});

describe('hmac-sha256', () => {
  const secret = SCHEMES['hmac-sha256'].newSecret();

  it('takes the hex digest bare or as sha256=<hex>, in either case', () => {
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    for (const value of [hex, `sha256=${hex}`, hex.toUpperCase()]) {
      expect(check('hmac-sha256', { body, headers: { 'x-signature': value }, nowMs: NOW }, secret)).toBeUndefined();
    }
    expect(check('hmac-sha256', { body, headers: { 'x-signature': `sha1=${hex}` }, nowMs: NOW }, secret)).toBe('signature');
  });

  it('agrees with a plain HMAC-SHA256 for any body and secret, and refuses any other signature (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.string({ minLength: 24, maxLength: 64 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (bytes, key, forged) => {
          const b = Buffer.from(bytes);
          const good = createHmac('sha256', Buffer.from(key, 'utf8')).update(b).digest();
          const verify = (sig: Buffer) =>
            check('hmac-sha256', { body: b, headers: { 'x-signature': sig.toString('hex') }, nowMs: NOW }, key);
          expect(verify(good)).toBeUndefined();
          if (!Buffer.from(forged).equals(good)) expect(verify(Buffer.from(forged))).toBe('signature');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('standard-webhooks', () => {
  it('verifies the specification’s example (standard-webhooks spec, "Verifying signatures")', () => {
    // The reference vector the libraries of standardwebhooks.com test against.
    const req: SignedRequest = {
      body: Buffer.from('{"test": 2432232314}'),
      headers: {
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      },
      nowMs: 1614265330_000,
    };
    expect(check('standard-webhooks', req, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeUndefined();
    expect(check('standard-webhooks', { ...req, nowMs: (1614265330 + 301) * 1000 }, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(
      'timestamp',
    );
  });

  it('accepts a header listing several signatures when one matches, and takes the event id from webhook-id', () => {
    const secret = SCHEMES['standard-webhooks'].newSecret();
    const req = signed('standard-webhooks', secret);
    const headers = {
      ...req.headers,
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${req.headers['webhook-signature'] as string}`,
    };
    expect(check('standard-webhooks', { ...req, headers }, secret)).toBeUndefined();
    expect(SCHEMES['standard-webhooks'].eventId(req, undefined)).toBe('msg_1');
  });

  it('agrees with the package’s own verify on any body, id, secret and signature header (property)', () => {
    const nowMs = Date.now();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 24, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\s,]/.test(s)),
        fc.string({ maxLength: 500 }),
        fc.boolean(),
        fc.string({ maxLength: 60 }),
        (key, id, text, genuine, noise) => {
          const secret = `whsec_${Buffer.from(key).toString('base64')}`;
          const at = new Date(Math.floor(nowMs / 1000) * 1000);
          const real = new Webhook(secret).sign(id, at, text);
          const signature = genuine ? `v1,${noise.replace(/[\s,]/g, '')} ${real}` : `v1,${noise}`;
          const headers = { 'webhook-id': id, 'webhook-timestamp': String(at.getTime() / 1000), 'webhook-signature': signature };
          let theirs = true;
          try {
            new Webhook(secret).verify(text, headers, { jsonParse: false });
          } catch {
            theirs = false;
          }
          const ours = check('standard-webhooks', { body: Buffer.from(text), headers, nowMs }, secret) === undefined;
          expect(ours).toBe(theirs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('wants whsec_ secrets of 24 to 64 bytes', () => {
    const problems = (secret: string) => SCHEMES['standard-webhooks'].secretProblems(secret);
    expect(problems(`whsec_${Buffer.alloc(24, 1).toString('base64')}`)).toEqual([]);
    expect(problems(Buffer.alloc(32, 1).toString('base64'))).not.toEqual([]);
    expect(problems(`whsec_${Buffer.alloc(16, 1).toString('base64')}`)).not.toEqual([]);
    expect(problems('whsec_not base64!')).not.toEqual([]);
  });
});

describe('stripe', () => {
  const secret = SCHEMES.stripe.newSecret();

  it('refuses a header with two timestamps or none, and one without v1', () => {
    const req = signed('stripe', secret);
    const header = req.headers['stripe-signature'] as string;
    const t = /t=(\d+)/.exec(header)![1];
    expect(check('stripe', { ...req, headers: { 'stripe-signature': `t=${t},${header}` } }, secret)).toBe('timestamp');
    expect(check('stripe', { ...req, headers: { 'stripe-signature': header.replace(/t=\d+,/, '') } }, secret)).toBe('timestamp');
    expect(check('stripe', { ...req, headers: { 'stripe-signature': `t=${t},v0=abc` } }, secret)).toBe('signature');
  });

  it('takes the event id from the body’s id', () => {
    expect(SCHEMES.stripe.eventId(signed('stripe', secret), { id: 'evt_123' })).toBe('evt_123');
    expect(SCHEMES.stripe.eventId(signed('stripe', secret), {})).toBeUndefined();
  });
});
