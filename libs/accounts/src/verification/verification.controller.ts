import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllowRestricted,
  ApiInvalid,
  Authenticated,
  Ctx,
  ErrorBody,
  MessageResponseDto,
  Public,
  RateLimit,
  type RequestContext,
} from '@atrium/platform';
import { ForgotPasswordDto, ResetPasswordDto, VerifyEmailQueryDto } from './dto/verification.dto.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetService } from './password-reset.service.js';

const TOKEN_ERRORS = 'The link is malformed or unknown (`invalid_link`), expired (`link_expired`) or already used (`link_used`)';

@ApiTags('auth')
@AllowRestricted()
@Controller('auth')
export class VerificationController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly resets: PasswordResetService,
  ) {}

  @Get('verify-email')
  @Public()
  @ApiOperation({
    summary: 'Verify an email address with the token from the verification mail',
    description:
      "For the account's current address, marks it verified. For a pending address (an email change), makes it the " +
      "account's address, verified; links still out for the old address (password reset, magic link) stop working.",
  })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiBadRequestResponse({ type: ErrorBody, description: TOKEN_ERRORS })
  @ApiConflictResponse({ type: ErrorBody, description: 'Another account took the pending address meanwhile (`email_taken`)' })
  async verifyEmail(@Ctx() ctx: RequestContext, @Query() query: VerifyEmailQueryDto): Promise<MessageResponseDto> {
    const result = await this.verification.verify(ctx, query.token);
    return { message: result === 'changed' ? 'Email verified; it is now the address of your account' : 'Email verified' };
  }

  @Post('resend-verification')
  @HttpCode(202)
  @RateLimit('resend-verification')
  @Authenticated()
  @ApiOperation({
    summary:
      'Mail a new verification link to your pending address if an email change waits, else to your current one (earlier links stop working)',
  })
  @ApiAcceptedResponse({ type: MessageResponseDto })
  @ApiConflictResponse({ type: ErrorBody, description: 'The address is already verified' })
  async resend(@Ctx() ctx: RequestContext): Promise<MessageResponseDto> {
    await this.verification.resend(ctx);
    return { message: 'Verification email sent' };
  }

  @Post('forgot-password')
  @Public()
  @HttpCode(202)
  @RateLimit('auth-mail')
  @ApiOperation({ summary: 'Mail a password reset link; the answer is the same whether or not the account exists' })
  @ApiAcceptedResponse({ type: MessageResponseDto })
  @ApiInvalid()
  async forgotPassword(@Ctx() ctx: RequestContext, @Body() dto: ForgotPasswordDto): Promise<MessageResponseDto> {
    await this.resets.request(ctx, dto.email);
    return { message: 'If an account exists for this email, a password reset link has been sent' };
  }

  @Post('reset-password')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Set a new password with the mailed token; ends every session of the account, keeps MFA on' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiBadRequestResponse({ type: ErrorBody, description: `${TOKEN_ERRORS}, or the password is too weak` })
  async resetPassword(@Ctx() ctx: RequestContext, @Body() dto: ResetPasswordDto): Promise<MessageResponseDto> {
    await this.resets.reset(ctx, dto.token, dto.new_password);
    return { message: 'Password reset; sign in with your new password' };
  }
}
