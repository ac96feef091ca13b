// Preloaded (`node --import`) into an app process a fault spec runs with a wrong clock: every `Date.now()` and
// `new Date()` is FAULT_CLOCK_SKEW_MS milliseconds off, as on a machine whose clock drifted. Test-only.
const skew = Number(process.env.FAULT_CLOCK_SKEW_MS ?? 0);
if (skew) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...args);
    }
    static now() {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}
