import { Injectable } from '@nestjs/common';

/**
 * The one source of "now" for anything that schedules or expires by the calendar (renewals, dunning, quotes):
 * inject it instead of calling `new Date()`, so tests can walk a whole year in seconds with `TestClock`.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock a test sets and advances; provide it with `{ provide: Clock, useValue: new TestClock(start) }`. */
export class TestClock extends Clock {
  private current: number;

  constructor(start: Date = new Date()) {
    super();
    this.current = start.getTime();
  }

  override now(): Date {
    return new Date(this.current);
  }

  set(at: Date): void {
    this.current = at.getTime();
  }

  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }
}
