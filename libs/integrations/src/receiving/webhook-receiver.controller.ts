import { Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiGoneResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiData, applyCounts, Ctx, ErrorBody, Public, RateLimit, type RequestContext } from '@atrium/platform';
import { WebhookReceiptDto } from './dto/webhook-receipt.dto.js';
import { WebhookReceiver } from './webhook-receiver.service.js';

const RULES =
  'Verified on the raw body by the provider’s signature scheme (`hmac-sha256`: `X-Signature`; `standard-webhooks`: ' +
  '`webhook-id`/`webhook-timestamp`/`webhook-signature`; `stripe`: `Stripe-Signature`), under the current secret and, ' +
  'during a rotation’s grace window, the previous one. Stored with its headers and deduplicated by (provider, event id) ' +
  'before the answer; processed in the background. The event id is the body’s `event_id`, else the scheme’s id ' +
  '(`webhook-id`, Stripe’s `id`), else the SHA-256 of the body; the type is the body’s `type`, else `X-Event-Type`.';

/** One Swagger description of every answer the receiving routes give. */
function receivingDocs(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const decorate of [
      ApiData(WebhookReceiptDto, 'Stored (or a duplicate: `duplicate: true` with the original event id)'),
      ApiHeader({ name: 'X-Event-Type', required: false, description: 'The event type when the body has no `type`' }),
      ApiBadRequestResponse({
        type: ErrorBody,
        description:
          '`signature_header_missing`, `signature_timestamp_out_of_tolerance` (5 minutes either way), `tenant_required`, `validation_failed` (event id or type over 200 characters), `malformed_json`',
      }),
      ApiUnauthorizedResponse({ type: ErrorBody, description: '`signature_invalid`: no live secret of the provider signed this body' }),
      ApiNotFoundResponse({ type: ErrorBody, description: '`provider_not_found`: no such organization or provider' }),
      ApiGoneResponse({ type: ErrorBody, description: '`provider_gone`: the provider was deleted; stop sending' }),
      ApiPayloadTooLargeResponse({ type: ErrorBody, description: '`payload_too_large`: the body is over 1 MB' }),
      ApiTooManyRequestsResponse({
        type: ErrorBody,
        description:
          '`rate_limited`: past the provider’s budget (WEBHOOK_RATE_LIMIT_PER_MINUTE), or the sending address’s budget for callbacks (RATE_LIMIT_INBOUND_PER_MINUTE); `Retry-After` says when to send again',
      }),
    ]) {
      decorate(target, key, descriptor);
    }
  };
}

type RawRequest = Request & { rawBody?: Buffer };

/**
 * Signed webhooks from an organization's providers. No credentials: the signature is the credential. Registered after
 * billing's `POST /webhooks/test/stripe` (and `test` is a reserved organization slug), so that route keeps its meaning.
 */
@ApiTags('webhooks')
@Controller()
export class WebhookReceiverController {
  constructor(private readonly receiver: WebhookReceiver) {}

  @Post('webhooks/:organization/:provider')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a signed webhook from a provider of the organization (its id or slug)', description: RULES })
  @receivingDocs()
  @RateLimit('inbound')
  byPath(
    @Ctx() ctx: RequestContext,
    @Param('organization') organization: string,
    @Param('provider') provider: string,
    @Req() req: RawRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ data: WebhookReceiptDto; message: string }> {
    return this.receive(ctx, organization, provider, req, res);
  }

  @Post(['webhooks/:provider', 'integrations/webhooks/:provider'])
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a signed webhook; the organization is named by X-Tenant-Domain (the paths the partner documents use)',
    description: RULES,
  })
  @ApiHeader({ name: 'X-Tenant-Domain', required: true, description: 'The organization’s slug (or id)' })
  @receivingDocs()
  @RateLimit('inbound')
  byTenantHeader(
    @Ctx() ctx: RequestContext,
    @Param('provider') provider: string,
    @Headers('x-tenant-domain') tenant: string | undefined,
    @Req() req: RawRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ data: WebhookReceiptDto; message: string }> {
    return this.receive(ctx, tenant, provider, req, res);
  }

  private async receive(
    ctx: RequestContext,
    organization: string | undefined,
    provider: string,
    req: RawRequest,
    res: Response,
  ): Promise<{ data: WebhookReceiptDto; message: string }> {
    const body = req.rawBody ?? Buffer.alloc(0);
    const parsed: unknown = req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? req.body : undefined;
    const receipt = await this.receiver.receive({
      organization: organization?.trim() || undefined,
      provider,
      body,
      parsed,
      headers: req.headers,
      requestId: ctx.requestId,
      counted: (count) => applyCounts(res, [count]),
    });
    return {
      data: { event_id: receipt.eventId, duplicate: receipt.duplicate },
      message: receipt.duplicate ? 'Webhook already received' : 'Webhook received',
    };
  }
}
