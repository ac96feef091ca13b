import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Ctx, DomainError, ErrorBody, Public, type RequestContext, sendTokenPage } from '@atrium/platform';
import { UnsubscribedDto } from './dto/preferences.dto.js';
import { confirmPage, outcomePage, UNSUBSCRIBE_PAGE_CSP } from './unsubscribe.page.js';
import { UnsubscribeService } from './unsubscribe.service.js';

const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' as const } } } });
const INVALID =
  'The link is not one Atrium signed, was changed or cut short, or its member is gone (`invalid_unsubscribe_link`); changes nothing';

/** Answers an HTML page with its own strict policy; the URL holds the link's token, so no referrer and no cache. */
const sendPage = (res: Response, status: number, page: string) => sendTokenPage(res, status, page, UNSUBSCRIBE_PAGE_CSP);

/**
 * One-click unsubscribe (RFC 8058) from mail's `List-Unsubscribe` link: no session, the signed token is the only key.
 * Public, so counted only against the per-IP default rate limit every route has (the global RateLimitGuard).
 */
@ApiTags('notifications')
@Public()
@Controller('notifications/unsubscribe')
export class UnsubscribeController {
  constructor(private readonly unsubscribes: UnsubscribeService) {}

  @Get()
  @ApiOperation({
    summary: 'The page an unsubscribe link opens (HTML): which emails it stops, and a button that posts the link',
    description: 'Changes nothing: mail scanners open links in mail, so only the POST unsubscribes.',
  })
  @ApiQuery({ name: 'token', type: String, description: 'The signed token from the mail' })
  @ApiProduces('text/html')
  @ApiOkResponse(html('Asks to confirm'))
  @ApiBadRequestResponse(html('The link is not valid'))
  async page(@Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const target = await this.unsubscribes.check(token);
      sendPage(res, 200, confirmPage(req.originalUrl, target.type.description, target.organizationName));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      sendPage(res, 400, outcomePage('Link not valid', err.message));
    }
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: "Turns the link's notification type email off for its user in its organization (RFC 8058 one-click)",
    description:
      'Mail clients post `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded); an empty body works too. ' +
      'Starts from the settings in force when the user has saved none, and is audited as the user. Posting again ' +
      'answers 200 saying the emails are already off and changes nothing. In-app notifications of the type continue. ' +
      'A browser posting the confirmation page gets an HTML answer.',
  })
  @ApiQuery({ name: 'token', type: String, description: 'The signed token from the mail' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    required: false,
    schema: { type: 'object', properties: { 'List-Unsubscribe': { type: 'string', enum: ['One-Click'] } } },
  })
  @ApiOkResponse({ type: UnsubscribedDto })
  @ApiBadRequestResponse({ type: ErrorBody, description: INVALID })
  async unsubscribe(@Ctx() ctx: RequestContext, @Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    // The confirmation page's button: a person in a browser, who should see a page rather than JSON.
    const person = req.accepts(['json', 'html']) === 'html';
    try {
      const { changed, message } = await this.unsubscribes.unsubscribe(ctx, token);
      if (!person) res.status(200).json({ message } satisfies UnsubscribedDto);
      else sendPage(res, 200, outcomePage(changed ? 'Unsubscribed' : 'Already unsubscribed', message));
    } catch (err) {
      if (!person || !(err instanceof DomainError)) throw err;
      sendPage(res, 400, outcomePage('Link not valid', err.message));
    }
  }
}
