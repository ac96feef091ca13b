import 'reflect-metadata';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Module,
  NotFoundException,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import type pg from 'pg';
import { baselineEnv, baselinePool, subjectOf, USER_BY_ID } from './shared.js';

/** Baseline 2: a minimal NestJS 12 + Express app: JWT verify in a guard, one indexed SELECT in the controller. `GET /me`. */
const { port, databaseUrl, verify } = baselineEnv();
const PG_POOL = Symbol('PG_POOL');
type AuthedRequest = Request & { userId?: string };

@Injectable()
class JwtGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const sub = subjectOf(req.headers.authorization, verify);
    if (!sub) throw new UnauthorizedException();
    req.userId = sub;
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
}

@Module({
  controllers: [MeController],
  providers: [JwtGuard, { provide: PG_POOL, useFactory: () => baselinePool(databaseUrl) }],
})
class BaselineModule {}

const app = await NestFactory.create(BaselineModule, { logger: ['error'] });
await app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
