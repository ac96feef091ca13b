import 'reflect-metadata';
import {
  BadRequestException,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Headers,
  HttpCode,
  Inject,
  Injectable,
  Module,
  NotFoundException,
  Param,
  Post,
  Query,
  type RawBodyRequest,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import type pg from 'pg';
import {
  auditList,
  baselineEnv,
  baselinePool,
  chatList,
  claimsOf,
  hmacVerified,
  notificationList,
  storeEvent,
  storeWebhook,
  USER_BY_ID,
  verifiedEvent,
} from './shared.js';

/**
 * Baseline 2: a minimal NestJS 12 + Express app. `GET /me`: JWT verify in a guard, one indexed SELECT in the controller;
 * `GET /chats`, `GET /notifications`: the app's list statements and mappings (page 1, 20 rows); `GET /audit-logs`:
 * the app's audit page statement and mapping for `page`, `limit`, `action`, `user_id`;
 * `POST /webhook`: Nest's raw body (`rawBody: true`), the Stripe signature checked and the event stored once;
 * `POST /webhook-hmac/:organization/:provider`: an `X-Signature` HMAC checked on the raw body and the event stored once.
 */
const { port, databaseUrl, verify, webhookSecret } = baselineEnv();
const PG_POOL = Symbol('PG_POOL');
type AuthedRequest = Request & { userId?: string; organizationId?: string };

@Injectable()
class JwtGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const claims = claimsOf(req.headers.authorization, verify);
    if (!claims) throw new UnauthorizedException();
    req.userId = claims.sub;
    req.organizationId = claims.org;
    return true;
  }
}

@Controller()
class MeController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Get('me')
  @UseGuards(JwtGuard)
  async me(@Req() req: AuthedRequest): Promise<{ data: unknown }> {
    const { rows } = await this.pool.query(USER_BY_ID, [req.userId]);
    if (!rows[0]) throw new NotFoundException();
    return { data: rows[0] };
  }

  @Get('chats')
  @UseGuards(JwtGuard)
  chats(@Req() req: AuthedRequest): Promise<unknown> {
    return chatList(this.pool, { sub: req.userId!, org: req.organizationId! });
  }

  @Get('notifications')
  @UseGuards(JwtGuard)
  notifications(@Req() req: AuthedRequest): Promise<unknown> {
    return notificationList(this.pool, { sub: req.userId!, org: req.organizationId! });
  }

  @Get('audit-logs')
  @UseGuards(JwtGuard)
  auditLogs(@Req() req: AuthedRequest, @Query() query: Record<string, string>): Promise<unknown> {
    return auditList(this.pool, { sub: req.userId!, org: req.organizationId! }, new URLSearchParams(query));
  }
}

@Controller()
class WebhookController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Post('webhook')
  @HttpCode(200)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; event_id: string }> {
    const event = verifiedEvent(req.rawBody, signature, webhookSecret);
    if (!event) throw new BadRequestException('Invalid signature');
    await storeEvent(this.pool, req.rawBody!, event);
    return { received: true, event_id: event.id };
  }
}

@Controller()
class HmacWebhookController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Post('webhook-hmac/:organization/:provider')
  @HttpCode(200)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Param('organization') organization: string,
    @Param('provider') provider: string,
    @Headers('x-signature') signature: string | undefined,
  ): Promise<{ data: { event_id: string | undefined; duplicate: boolean } }> {
    if (!hmacVerified(req.rawBody, signature, webhookSecret)) throw new UnauthorizedException('Invalid signature');
    const id = await storeWebhook(this.pool, { organization, provider }, req.rawBody!, req.headers);
    return { data: { event_id: id, duplicate: !id } };
  }
}

@Module({
  controllers: [MeController, WebhookController, HmacWebhookController],
  providers: [JwtGuard, { provide: PG_POOL, useFactory: () => baselinePool(databaseUrl) }],
})
class BaselineModule {}

const app = await NestFactory.create(BaselineModule, { logger: ['error'], rawBody: true });
await app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
