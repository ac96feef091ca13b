import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators.js';
import { AppConfig } from '../config/app-config.js';
import { MAIL_QUEUE } from '../mail/mail-message.js';
import { queueBackendName } from '../queue/queue.module.js';
import { HealthDto } from './health.dto.js';

const TIMEOUT_MS = 2000;

async function probe(check: () => Promise<unknown>): Promise<{ status: 'up' | 'down'; latency_ms: number; error?: string }> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref())]);
    return { status: 'up', latency_ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'down', latency_ms: Math.round(performance.now() - started), error: (err as Error).message.slice(0, 120) };
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @InjectQueue(MAIL_QUEUE) private readonly queue: Queue,
  ) {}

  @Get()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Database and queue status' })
  @ApiOkResponse({ type: HealthDto, description: 'Both the database and the queue answer' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'The database or the queue does not answer' })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const [database, queue] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.queue.getJobCounts('waiting')),
    ]);
    const ok = database.status === 'up' && queue.status === 'up';
    if (!ok) res.status(503);
    return {
      status: ok ? 'ok' : 'error',
      database,
      queue: { ...queue, backend: queueBackendName(this.config) },
    };
  }
}
