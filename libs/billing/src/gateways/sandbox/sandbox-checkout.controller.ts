import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public, sendTokenPage } from '@atrium/platform';
import { CHECKOUT_PAGE_CSP, renderCheckout } from './sandbox-checkout.page.js';
import { type CheckoutView, SandboxCheckoutService } from './sandbox-checkout.service.js';

const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' as const } } } });

/** Answers a checkout view as an HTML page with its own strict policy; nothing on it may be cached. */
function sendPage(res: Response, view: CheckoutView): void {
  const { status, html } = renderCheckout(view);
  sendTokenPage(res, status, html, CHECKOUT_PAGE_CSP);
}

/**
 * The sandbox gateway's checkout page (what `checkout_url` opens): plain HTML and a form POST, no script, no
 * credentials; the token in the URL is the only key to the charge.
 */
@ApiTags('sandbox')
@Public()
@Controller('sandbox/checkout')
export class SandboxCheckoutController {
  constructor(private readonly checkout: SandboxCheckoutService) {}

  @Get(':token')
  @ApiOperation({
    summary: 'The sandbox checkout page of a pending charge (HTML): amount, description, card number, Pay and Cancel',
    description:
      'Test cards: `4242 4242 4242 4242` succeeds, `4000 0000 0000 0002` is declined (`card_declined`), ' +
      '`4000 0000 0000 9995` fails for insufficient funds (`insufficient_funds`). Any other number is refused.',
  })
  @ApiProduces('text/html')
  @ApiOkResponse(html('The checkout page'))
  @ApiNotFoundResponse(html('Unknown token, or the charge is no longer pending'))
  async show(@Param('token') token: string, @Res() res: Response): Promise<void> {
    sendPage(res, await this.checkout.show(token));
  }

  @Post(':token')
  @ApiOperation({
    summary: 'Pays or cancels a sandbox charge from its checkout page (form POST); the outcome is called back to Atrium, signed',
    description:
      'Records the outcome once; submitting again shows the same outcome. A card number failing its checksum shows the form again.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['action'],
      properties: {
        action: { type: 'string', enum: ['pay', 'cancel'] },
        card_number: { type: 'string', example: '4242 4242 4242 4242', description: 'Required to pay' },
      },
    },
  })
  @ApiProduces('text/html')
  @ApiOkResponse(html('The outcome: succeeded, failed (with the decline reason) or cancelled'))
  @ApiUnprocessableEntityResponse(html('The form again, saying what to correct'))
  @ApiNotFoundResponse(html('Unknown token'))
  async submit(@Param('token') token: string, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    sendPage(res, await this.checkout.submit(token, form ?? {}));
  }
}
