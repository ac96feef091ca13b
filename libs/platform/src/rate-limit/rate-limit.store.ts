import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createClient } from 'redis';
import { AppConfig } from '../config/app-config.js';

/** One counter after a hit: how many requests in its window and how long until the window ends. */
export interface WindowCount {
  count: number;
  resetMs: number;
}

/** Fixed-window counters. */
export abstract class RateLimitStore {
  /** Counts one request against each key and returns every key's state, in order (synchronously when it can). */
  abstract hit(keys: string[], windowMs: number): WindowCount[] | Promise<WindowCount[]>;
}

/** Counters in this process's memory: right for a single instance. */
export class MemoryRateLimitStore extends RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = Date.now();

  hit(keys: string[], windowMs: number): WindowCount[] {
    const now = Date.now();
    if (now - this.lastSweep > windowMs) this.sweep(now);
    return keys.map((key) => {
      let w = this.windows.get(key);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs };
        this.windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, resetMs: w.resetAt - now };
    });
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}

/** INCR each key, start its window on the first hit, and report the time left: one round trip for all keys. */
const HIT_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local c = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if c == 1 or ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  out[#out + 1] = c
  out[#out + 1] = ttl
end
return out`;

/**
 * Counters in Redis, shared by every instance. While Redis is unreachable the limiter falls back to
 * in-process counters rather than failing requests.
 */
@Injectable()
export class RedisRateLimitStore extends RateLimitStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly client;
  private readonly fallback = new MemoryRateLimitStore();
  private readonly prefix: string;
  private warned = false;

  constructor(config: AppConfig) {
    super();
    this.prefix = `${config.queue.prefix}:rl:`;
    this.client = createClient({ url: config.redisUrl, socket: { reconnectStrategy: (n: number) => Math.min(n * 200, 5000) } });
    this.client.on('error', (err: unknown) => {
      if (!this.warned) this.logger.warn({ err }, 'Redis unavailable for rate limits; counting in-process meanwhile');
      this.warned = true;
    });
    this.client.on('ready', () => (this.warned = false));
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect().catch(() => undefined);
  }

  async hit(keys: string[], windowMs: number): Promise<WindowCount[]> {
    if (!this.client.isReady) return this.fallback.hit(keys, windowMs);
    try {
      const reply = (await this.client.eval(HIT_SCRIPT, {
        keys: keys.map((k) => this.prefix + k),
        arguments: [String(windowMs)],
      })) as number[];
      return keys.map((_, i) => ({ count: Number(reply[2 * i]), resetMs: Number(reply[2 * i + 1]) }));
    } catch (err) {
      this.logger.warn({ err }, 'Rate-limit counter failed in Redis; counting in-process');
      return this.fallback.hit(keys, windowMs);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client.isOpen) await this.client.close().catch(() => undefined);
  }
}
