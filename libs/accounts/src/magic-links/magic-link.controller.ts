import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiInvalid, Ctx, ErrorBody, MessageResponseDto, Public, RateLimit, type RequestContext } from '@atrium/platform';
import { LoginResponseDto, MfaRequiredDto } from '../sign-in/dto/login.dto.js';
import { MagicLinkRequestDto, MagicLinkVerifyDto } from './dto/magic-link.dto.js';
import { MagicLinkService } from './magic-link.service.js';

@ApiTags('auth')
@Controller('auth/magic-link')
export class MagicLinkController {
  constructor(private readonly links: MagicLinkService) {}

  @Post()
  @Public()
  @HttpCode(202)
  @RateLimit('auth-mail')
  @ApiOperation({ summary: 'Mail a single-use sign-in link (10 minutes); the answer is the same whether or not the account exists' })
  @ApiAcceptedResponse({ type: MessageResponseDto })
  @ApiInvalid()
  async request(@Ctx() ctx: RequestContext, @Body() dto: MagicLinkRequestDto): Promise<MessageResponseDto> {
    await this.links.request(ctx, dto.email, dto.organization_id);
    return { message: 'If an account exists for this email, a sign-in link has been sent' };
  }

  @Post('verify')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({
    summary:
      'Sign in with the mailed token. With MFA on, send `mfa_code` too; without it the answer is `{"mfa_required": true}` and the link stays usable',
  })
  @ApiExtraModels(LoginResponseDto, MfaRequiredDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(LoginResponseDto) }, { $ref: getSchemaPath(MfaRequiredDto) }] } })
  @ApiBadRequestResponse({
    type: ErrorBody,
    description: 'Invalid input, or a malformed or unknown (`invalid_link`), expired (`link_expired`) or used (`link_used`) link',
  })
  @ApiUnauthorizedResponse({
    type: ErrorBody,
    description: 'Wrong MFA code (`invalid_mfa_code`), a code already used (`mfa_code_reused`), or the account is suspended',
  })
  @ApiTooManyRequestsResponse({ type: ErrorBody, description: 'Too many wrong MFA codes or requests' })
  verify(@Ctx() ctx: RequestContext, @Body() dto: MagicLinkVerifyDto): Promise<LoginResponseDto | MfaRequiredDto> {
    return this.links.verify(ctx, dto.token, dto.mfa_code);
  }
}
