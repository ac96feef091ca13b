import { describe, expect, it } from 'vitest';
import { WorkSlots } from './work-slots.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('WorkSlots', () => {
  it('runs at most `size` tasks at once and starts the waiting ones in arrival order', async () => {
    const slots = new WorkSlots(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const done = gates.map((g, i) =>
      slots.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(slots.queued).toBe(2);
    gates[1].resolve();
    await done[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve();
    gates[2].resolve();
    gates[3].resolve();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('frees the slot when a task fails', async () => {
    const slots = new WorkSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
    expect(slots.queued).toBe(0);
  });

  it('acquire(waitMs): a slot released in time is handed over; past the wait, undefined and nothing held', async () => {
    const slots = new WorkSlots(1);
    const first = await slots.acquire();
    const handedOver = slots.acquire(1000);
    expect(slots.queued).toBe(1);
    first();
    first(); // a second release of the same slot frees nothing more
    const second = await handedOver;
    expect(second).toBeTypeOf('function');
    expect(await slots.acquire(20)).toBeUndefined();
    expect(slots.queued).toBe(0);
    second!();
    const third = await slots.acquire(0);
    expect(third).toBeTypeOf('function');
    expect(await slots.acquire(0)).toBeUndefined();
  });

  it('refuses a size below one', () => {
    expect(() => new WorkSlots(0)).toThrow(/positive size/);
  });
});
