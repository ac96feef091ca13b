import { Body, Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ApiData, ApiInvalid, Authenticated, Ctx, ErrorBody, notFound, Permissions, Public, type RequestContext } from '@atrium/platform';
import { WebhookReceiptDto } from './dto/payment.dto.js';
import { GATEWAY_NAMES } from './payment-gateways.js';
import { PaymentWebhooks, type WebhookReceipt } from './payment-webhooks.service.js';
import { STRIPE_TEST_EVENT_TYPES, StripeTestEvents } from './stripe-test-events.js';

export class StripeTestEventDto {
  @ApiPropertyOptional({ enum: STRIPE_TEST_EVENT_TYPES, default: 'payment_intent.succeeded' })
  @IsOptional()
  @IsIn(STRIPE_TEST_EVENT_TYPES)
  type?: (typeof STRIPE_TEST_EVENT_TYPES)[number];

  @ApiPropertyOptional({ format: 'uuid', description: "One of the organization's Stripe payments the event is about" })
  @IsOptional()
  @IsUUID()
  payment_id?: string;
}

const receipt = (r: WebhookReceipt): WebhookReceiptDto => ({
  received: true,
  event_id: r.eventId,
  type: r.type,
  duplicate: r.duplicate,
  outcome: r.outcome,
});

@ApiTags('payments')
@Controller()
export class PaymentWebhooksController {
  constructor(
    private readonly webhooks: PaymentWebhooks,
    private readonly testEvents: StripeTestEvents,
  ) {}

  @Post('payments/webhooks/:gateway')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Gateway callback (Stripe, or the sandbox): verified on the raw body, stored once by event id, then applied',
    description:
      '`Stripe-Signature: t=…,v1=…` (HMAC-SHA256 of `t.body`, 300 s tolerance both ways) with STRIPE_WEBHOOK_SECRET or the sandbox ' +
      'secret. Answers 200 once the event is stored, also for unknown types and payments; 400 and nothing stored when the ' +
      'signature does not verify; 503 when the charge could not be re-read from the gateway (the event is kept and processed on redelivery).',
  })
  @ApiParam({ name: 'gateway', enum: GATEWAY_NAMES })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 't=<unix seconds>,v1=<hex HMAC-SHA256>' })
  @ApiData(WebhookReceiptDto)
  @ApiBadRequestResponse({ type: ErrorBody, description: '`webhook_signature_invalid`, or `gateway_unavailable`' })
  @ApiNotFoundResponse({ type: ErrorBody, description: 'Not a gateway' })
  @ApiServiceUnavailableResponse({ type: ErrorBody, description: '`gateway_unreachable`: retry later (the event is stored)' })
  async receive(
    @Param('gateway') gateway: string,
    @Req() req: Request & { rawBody?: Buffer },
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ data: WebhookReceiptDto }> {
    if (!(GATEWAY_NAMES as readonly string[]).includes(gateway)) throw notFound('Route');
    return { data: receipt(await this.webhooks.receive(gateway, req.rawBody, signature)) };
  }

  @Post('webhooks/test/stripe')
  @Authenticated()
  @Permissions('billing.manage')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a signed sample Stripe event through the real callback path and say what happened',
    description:
      'Signed with STRIPE_WEBHOOK_SECRET (in development without Stripe settings, the generated development secret). ' +
      'Refused (404) when NODE_ENV=production unless STRIPE_TEST_EVENTS=true.',
  })
  @ApiBody({ type: StripeTestEventDto, required: false })
  @ApiData(WebhookReceiptDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'Production without STRIPE_TEST_EVENTS, or another organization’s payment' })
  async testStripe(@Ctx() ctx: RequestContext, @Body() dto: StripeTestEventDto): Promise<{ data: WebhookReceiptDto }> {
    const r = await this.testEvents.send(ctx, { type: dto.type ?? 'payment_intent.succeeded', paymentId: dto.payment_id });
    return { data: receipt(r) };
  }
}
