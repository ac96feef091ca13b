import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { AllowRestricted, ApiInvalid, Authenticated, Ctx, ErrorBody, Public, RateLimit, type RequestContext } from '@atrium/platform';
import { LoginDto, LoginResponseDto, MfaRequiredDto, RefreshDto, TokenPairDto, VerifyMfaDto } from './dto/login.dto.js';
import { RegisterOrganizationDto, RegisteredDto } from '../registration/dto/register.dto.js';
import { LoginService } from './login.service.js';
import { LogoutService } from './logout.service.js';
import { RegistrationService } from '../registration/registration.service.js';
import { SessionIssuer } from '@atrium/access';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly login: LoginService,
    private readonly issuer: SessionIssuer,
    private readonly logouts: LogoutService,
  ) {}

  @Post('organization/register')
  @Public()
  @RateLimit('registration')
  @ApiOperation({
    summary: 'Create an organization and its owner account',
    description:
      'An email that already has an account is answered like a new one (201 with ids), so the route tells nobody which ' +
      'addresses have accounts: nothing is created, and the address is mailed that someone tried (at most once an hour). ' +
      'Signed-in users add organizations with `POST /organizations`.',
  })
  @ApiCreatedResponse({ type: RegisteredDto })
  @ApiInvalid()
  async register(@Ctx() ctx: RequestContext, @Body() dto: RegisterOrganizationDto): Promise<RegisteredDto> {
    const { userId, organizationId } = await this.registration.register(ctx, dto);
    return { message: 'Organization registered successfully', user_id: userId, organization_id: organizationId };
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Sign in with email and password; with MFA on the answer is `{"mfa_required": true}` and no tokens' })
  @ApiExtraModels(LoginResponseDto, MfaRequiredDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(LoginResponseDto) }, { $ref: getSchemaPath(MfaRequiredDto) }] } })
  @ApiInvalid()
  @ApiUnauthorizedResponse({ type: ErrorBody, description: 'Invalid email or password (same answer for both)' })
  signIn(@Ctx() ctx: RequestContext, @Body() dto: LoginDto): Promise<LoginResponseDto | MfaRequiredDto> {
    return this.login.login(ctx, dto);
  }

  @Post('verify-mfa')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Sign in with email, password and a TOTP or backup code (accounts with MFA on)' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiInvalid()
  @ApiUnauthorizedResponse({
    type: ErrorBody,
    description: 'Invalid email or password, wrong code (`invalid_mfa_code`) or a code already used (`mfa_code_reused`)',
  })
  @ApiTooManyRequestsResponse({ type: ErrorBody, description: 'Too many wrong codes (`too_many_mfa_attempts`) or requests' })
  verifyMfa(@Ctx() ctx: RequestContext, @Body() dto: VerifyMfaDto): Promise<LoginResponseDto> {
    return this.login.loginWithMfa(ctx, dto);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair; reusing a rotated token revokes the session' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiInvalid()
  @ApiUnauthorizedResponse({ type: ErrorBody })
  refresh(@Ctx() ctx: RequestContext, @Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.issuer.refresh(dto.refresh_token, { ip: ctx.meta.ip, userAgent: ctx.meta.userAgent });
  }

  @Post('logout')
  @AllowRestricted()
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'End this session; its access token stops working at once' })
  @ApiNoContentResponse()
  async logout(@Ctx() ctx: RequestContext): Promise<void> {
    await this.logouts.logout(ctx);
  }
}
