import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiData,
  ApiInvalid,
  ApiList,
  ApiPage,
  Authenticated,
  Ctx,
  ErrorBody,
  type Page,
  Permissions,
  type RequestContext,
} from '@atrium/platform';
import { ReplayResultDto, ReplayWebhookEventsDto, UpdateWebhookEventDto } from './dto/webhook-event-actions.dto.js';
import { WebhookAttemptDto, WebhookEventDetailDto, WebhookEventDto, WebhookEventQueryDto } from './dto/webhook-event.dto.js';
import { WebhookEventActions } from './webhook-event-actions.js';
import { WebhookEventReader } from './webhook-event-reader.js';

const NOT_FOUND = 'No such webhook event in this organization (`webhook_event_not_found`)';
const LIST = 'The webhook event log, newest first, filtered by provider (id or name), status, type and receipt time (`from` ≤ t < `to`)';

/**
 * The webhook event log and an admin's actions on it. Its list also answers at webhooks-service-api.md's
 * `GET /webhooks?provider=`, and an event's attempts at its `GET /webhooks/{id}/retries`. That document's
 * `GET /webhooks/{id}` is left out: its path template is the receiving `POST /webhooks/{provider}`'s, which OpenAPI
 * cannot tell apart (one path, two meanings of its parameter), so clients generated from Swagger would break; its
 * `POST /webhooks/{id}/retries` likewise (the receiving `POST /webhooks/{organization}/{provider}` with a provider
 * named `retries`).
 */
@ApiTags('integrations')
@Authenticated()
@Controller()
export class WebhookEventsController {
  constructor(
    private readonly events: WebhookEventReader,
    private readonly actions: WebhookEventActions,
  ) {}

  @Get(['integrations/webhook-events', 'webhooks'])
  @Permissions('integrations.view')
  @ApiOperation({ summary: LIST })
  @ApiPage(WebhookEventDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: WebhookEventQueryDto): Promise<Page<WebhookEventDto>> {
    return this.events.list(ctx, query);
  }

  @Post('integrations/webhook-events/replay')
  @HttpCode(202)
  @Permissions('integrations.manage')
  @ApiOperation({
    summary: 'Re-process a provider’s events received in [from, to) (e.g. after a bug fix); audited',
    description:
      'Without `force` only events whose effect has not happened (received, processing, failed, dead) are queued, so a ' +
      'completed effect stays exactly once; with `force` completed and ignored events run again too. `status` narrows the window. ' +
      'At most 10,000 events per replay (else 400 `replay_window_too_large`).',
  })
  @ApiData(ReplayResultDto, 'Queued', 202)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'No such provider in this organization (`provider_not_found`)' })
  async replay(@Ctx() ctx: RequestContext, @Body() dto: ReplayWebhookEventsDto): Promise<{ data: ReplayResultDto }> {
    return { data: await this.actions.replay(ctx, dto) };
  }

  @Get('integrations/webhook-events/:id')
  @Permissions('integrations.view')
  @ApiOperation({ summary: 'One webhook event with its headers and every processing attempt' })
  @ApiData(WebhookEventDetailDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: WebhookEventDetailDto }> {
    return { data: await this.events.get(ctx, id) };
  }

  @Get(['integrations/webhook-events/:id/retries', 'webhooks/:id/retries'])
  @Permissions('integrations.view')
  @ApiOperation({ summary: 'Every processing attempt of one event (time, duration, outcome, error), oldest first' })
  @ApiList(WebhookAttemptDto, 'The attempts')
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async retries(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: WebhookAttemptDto[] }> {
    return { data: await this.events.attempts(ctx, id) };
  }

  @Post('integrations/webhook-events/:id/retry')
  @HttpCode(200)
  @Permissions('integrations.manage')
  @ApiOperation({
    summary: 'Process the event now (also a dead or failed one) and answer it after the attempt; audited',
    description: 'A failing attempt is recorded like any other; a dead event stays dead when it fails again.',
  })
  @ApiData(WebhookEventDetailDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: 'The event is completed or ignored (`webhook_event_settled`)' })
  async retry(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: WebhookEventDetailDto }> {
    return { data: await this.actions.retryNow(ctx, id) };
  }

  @Patch('integrations/webhook-events/:id')
  @Permissions('integrations.manage')
  @ApiOperation({ summary: 'Set the status by hand (completed, ignored or dead); audited with before and after' })
  @ApiData(WebhookEventDetailDto)
  @ApiBadRequestResponse({ type: ErrorBody, description: 'A status other than completed, ignored or dead (`validation_failed`)' })
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() dto: UpdateWebhookEventDto,
  ): Promise<{ data: WebhookEventDetailDto }> {
    return { data: await this.actions.setStatus(ctx, id, dto) };
  }
}
