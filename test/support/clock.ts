import { Clock, TestClock } from '@atrium/platform';
import type { TestApp } from './test-app.js';

/**
 * Drives the app's one Clock from a TestClock: every service reads `Clock.now()` at call time, so replacing the
 * singleton's `now` moves "now" for quotes, proration, settlement, typing throttles. Restore with `release()`.
 */
export function controlClock(t: TestApp, start: Date): TestClock & { release(): void } {
  const clock = t.app.get(Clock);
  const test = new TestClock(start) as TestClock & { release(): void };
  const original = clock.now.bind(clock);
  clock.now = () => test.now();
  test.release = () => {
    clock.now = original;
  };
  return test;
}
