import { AsyncLocalStorage } from 'node:async_hooks';

/** Carries the request id to log lines only; business code receives context explicitly. */
export const logContext = new AsyncLocalStorage<{ requestId: string }>();
