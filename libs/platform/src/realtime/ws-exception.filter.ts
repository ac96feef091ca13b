import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { HttpExceptionFilter } from '../http/http-exception.filter.js';
import { safeError } from '../logging/safe-error.js';

type Ack = (body: unknown) => void;

/**
 * Answers a socket message whose handler (or guard) threw with the house error body: through the
 * client's acknowledgement callback when it sent one, else as an `exception` event. Put
 * `@UseFilters(WsExceptionFilter)` on every gateway: Nest applies no global filter to sockets.
 */
@Catch()
export class WsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Realtime');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'ws') return;
    const requestId = randomUUID();
    const body = HttpExceptionFilter.body(exception, requestId);
    if (body.statusCode >= 500) this.logger.error({ err: safeError(exception), requestId }, 'Unhandled socket error');
    // Socket message arguments are [socket, data, ack?, pattern].
    const ack = host
      .getArgs()
      .slice(2)
      .find((arg): arg is Ack => typeof arg === 'function');
    if (ack) ack(body);
    else host.switchToWs().getClient<{ emit(event: string, body: unknown): void }>().emit('exception', body);
  }
}
