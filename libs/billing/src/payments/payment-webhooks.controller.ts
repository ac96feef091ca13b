import { Body, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ApiData, ApiInvalid, Authenticated, Ctx, ErrorBody, Permissions, Public, RateLimit, type RequestContext } from '@atrium/platform';
import { PaymentWebhookReceiptDto } from './dto/payment.dto.js';
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

const CALLBACK_RULES =
  '`Stripe-Signature: t=…,v1=…` (HMAC-SHA256 of `t.body`, 300 s tolerance both ways). Answers 200 once the event is stored, ' +
  'also for unknown types and payments; 400 and nothing stored when the signature does not verify; 503 when the charge could ' +
  'not be re-read from the gateway (the event is kept and processed on redelivery).';

const receipt = (r: WebhookReceipt): PaymentWebhookReceiptDto => ({
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

  @Post('payments/webhooks/stripe')
  @Public()
  @RateLimit('inbound')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stripe callback: verified on the raw body, stored once by event id, then applied',
    description: `${CALLBACK_RULES} Secret: STRIPE_WEBHOOK_SECRET.`,
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 't=<unix seconds>,v1=<hex HMAC-SHA256>' })
  @ApiData(PaymentWebhookReceiptDto)
  @ApiBadRequestResponse({ type: ErrorBody, description: '`webhook_signature_invalid` (nothing stored), or `gateway_unavailable`' })
  @ApiServiceUnavailableResponse({ type: ErrorBody, description: '`gateway_unreachable`: retry later (the event is stored)' })
  async stripe(
    @Req() req: Request & { rawBody?: Buffer },
    @Headers('stripe-signature') signature?: string,
  ): Promise<{ data: PaymentWebhookReceiptDto }> {
    return { data: receipt(await this.webhooks.receive('stripe', req.rawBody, signature)) };
  }

  @Post('payments/webhooks/sandbox')
  @Public()
  @RateLimit('inbound')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sandbox gateway callback: the same scheme as Stripe, signed with the sandbox secret',
    description: `${CALLBACK_RULES} Secret: SANDBOX_WEBHOOK_SECRET (outside production a generated one).`,
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 't=<unix seconds>,v1=<hex HMAC-SHA256>' })
  @ApiData(PaymentWebhookReceiptDto)
  @ApiBadRequestResponse({ type: ErrorBody, description: '`webhook_signature_invalid` (nothing stored), or `gateway_unavailable`' })
  @ApiServiceUnavailableResponse({ type: ErrorBody, description: '`gateway_unreachable`: retry later (the event is stored)' })
  async sandbox(
    @Req() req: Request & { rawBody?: Buffer },
    @Headers('stripe-signature') signature?: string,
  ): Promise<{ data: PaymentWebhookReceiptDto }> {
    return { data: receipt(await this.webhooks.receive('sandbox', req.rawBody, signature)) };
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
  @ApiData(PaymentWebhookReceiptDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'Production without STRIPE_TEST_EVENTS, or another organization’s payment' })
  async testStripe(@Ctx() ctx: RequestContext, @Body() dto: StripeTestEventDto): Promise<{ data: PaymentWebhookReceiptDto }> {
    const r = await this.testEvents.send(ctx, { type: dto.type ?? 'payment_intent.succeeded', paymentId: dto.payment_id });
    return { data: receipt(r) };
  }
}
