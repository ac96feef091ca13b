import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { OutboundPolicy } from '../integrations.config.js';
import { refusedAddress } from './address-policy.js';

/** An outbound call that got no usable answer: refused by the address policy, unreachable, timed out, or too large. */
export class OutboundError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'unreachable' | 'timeout' | 'too_large',
  ) {
    super(message);
  }
}

export interface OutboundAnswer {
  status: number;
  body: Buffer;
  /** From sending the request to the last byte of the answer. */
  ms: number;
}

/** Resolves like `dns.lookup`, but fails on any address the policy refuses: checked where the socket connects (no rebinding). */
const guardedLookup =
  (policy: OutboundPolicy): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => refusedAddress(a.address, policy)).find((r) => r !== null);
      if (refused) return callback(new OutboundError(`Refused: ${hostname} resolves to ${refused}`, 'refused'), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };

/**
 * GET `url` from a partner: no redirects followed, at most `maxBytes` read, answered within `timeoutMs` (else a
 * `timeout` OutboundError), and only to addresses the outbound policy allows (checked on the resolved address).
 */
export function outboundGet(url: string, opts: { policy: OutboundPolicy; timeoutMs: number; maxBytes: number }): Promise<OutboundAnswer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new OutboundError(`Invalid URL ${url}`, 'refused'));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new OutboundError(`Only http(s) URLs are called, not ${target.protocol}`, 'refused'));
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const refused = refusedAddress(host, opts.policy);
    if (refused) return Promise.reject(new OutboundError(`Refused: ${refused}`, 'refused'));
  }
  const started = performance.now();
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<OutboundAnswer>((resolve, reject) => {
    const fail = (err: unknown) => {
      if (err instanceof OutboundError) return reject(err);
      if (signal.aborted) return reject(new OutboundError(`No answer within ${opts.timeoutMs} ms`, 'timeout'));
      const e = err as NodeJS.ErrnoException;
      reject(new OutboundError(`${e.code ?? 'Error'}: ${e.message}`, 'unreachable'));
    };
    const req = request(
      target,
      {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'Atrium-Integrations/1' },
        lookup: guardedLookup(opts.policy),
        signal,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(new OutboundError(`The answer is larger than ${opts.maxBytes} bytes`, 'too_large'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end();
  });
}
