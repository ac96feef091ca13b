/** One request of a steady load: when it was sent, what it got, and how long it took. */
export interface Shot {
  sentAt: number;
  ms: number;
  status: number;
  code?: string;
  body: any;
  /** The request got no answer within the timeout (a hang). */
  hung: boolean;
}

/**
 * Fires `send(i)` at `perSecond` without waiting for answers (an open loop, as clients do) until `stop()` is
 * called; each request is abandoned after `timeoutMs` and recorded as hung.
 */
export function steadyLoad(
  perSecond: number,
  send: (i: number, signal: AbortSignal) => Promise<{ status: number; body: any }>,
  timeoutMs = 10_000,
): { shots: Shot[]; stop(): Promise<Shot[]> } {
  const shots: Shot[] = [];
  const pending = new Set<Promise<void>>();
  let i = 0;
  const started = Date.now();
  const fire = () => {
    // Catch up on the schedule: timers on a busy box fire late.
    const due = Math.floor(((Date.now() - started) * perSecond) / 1000);
    while (i < due) {
      const n = i++;
      const sentAt = Date.now();
      const p = send(n, AbortSignal.timeout(timeoutMs)).then(
        ({ status, body }) => {
          shots.push({ sentAt, ms: Date.now() - sentAt, status, code: body?.code, body, hung: false });
        },
        (err: unknown) => {
          const hung = (err as Error)?.name === 'TimeoutError';
          shots.push({ sentAt, ms: Date.now() - sentAt, status: 0, body: String(err), hung });
        },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
  };
  const timer = setInterval(fire, 5);
  return {
    shots,
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      return shots;
    },
  };
}
