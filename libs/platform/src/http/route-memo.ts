import type { ExecutionContext } from '@nestjs/common';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;

/**
 * A value derived from a route's decorator metadata, computed once per controller method: metadata is
 * fixed once the app is built, so guards need not ask the Reflector again on every request.
 */
export class RouteMemo<T> {
  private readonly byClass = new WeakMap<Target, WeakMap<Target, T>>();

  constructor(private readonly compute: (targets: [handler: Target, cls: Target]) => T) {}

  of(context: ExecutionContext): T {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byHandler = this.byClass.get(cls);
    if (!byHandler) this.byClass.set(cls, (byHandler = new WeakMap()));
    let value = byHandler.get(handler);
    if (value === undefined) byHandler.set(handler, (value = this.compute([handler, cls])));
    return value;
  }
}
