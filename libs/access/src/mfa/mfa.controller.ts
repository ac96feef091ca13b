import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import {
  AllowRestricted,
  ApiData,
  ApiInvalid,
  Authenticated,
  Ctx,
  ErrorBody,
  MessageResponseDto,
  type RequestContext,
} from '@atrium/platform';
import { BACKUP_CODE_COUNT } from './backup-codes.js';
import {
  BackupCodeCountDto,
  BackupCodesDto,
  MfaCodeDto,
  MfaCodeOrBackupDto,
  MfaEnabledDto,
  MfaSetupDto,
  MfaStatusDto,
} from './dto/mfa.dto.js';
import { MfaService } from './mfa.service.js';

const WRONG_CODE = 'Wrong code (`wrong_mfa_code`) or a code already used (`mfa_code_already_used`)';
const LOCKED = 'Too many wrong codes (`too_many_mfa_attempts`); see Retry-After';

@ApiTags('mfa')
@Authenticated()
@AllowRestricted()
@Controller('mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get('check')
  @ApiOperation({ summary: 'Whether two-factor authentication is on for you' })
  @ApiData(MfaStatusDto)
  async check(@Ctx() ctx: RequestContext): Promise<{ data: MfaStatusDto }> {
    const s = await this.mfa.status(ctx);
    return {
      data: {
        enabled: s.enabled,
        pending_setup: s.pendingSetup,
        enabled_at: s.enabledAt?.toISOString() ?? null,
        backup_codes_remaining: s.backupCodesRemaining,
      },
    };
  }

  @Post('setup/initialize')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start setup: a new TOTP secret, its otpauth:// URL and a QR code (nothing changes until verified)' })
  @ApiData(MfaSetupDto)
  @ApiConflictResponse({ type: ErrorBody, description: 'MFA is already on' })
  async initialize(@Ctx() ctx: RequestContext): Promise<{ data: MfaSetupDto; message: string }> {
    const s = await this.mfa.initialize(ctx);
    return { data: { secret: s.secret, otpauth_url: s.otpauthUrl, qr_code: s.qrCode }, message: 'Scan the QR code, then verify a code' };
  }

  @Post('setup/verify')
  @HttpCode(200)
  @ApiOperation({ summary: `Confirm setup with a code: turns MFA on and returns ${BACKUP_CODE_COUNT} backup codes, once` })
  @ApiData(MfaEnabledDto)
  @ApiInvalid()
  @ApiBadRequestResponse({ type: ErrorBody, description: WRONG_CODE })
  @ApiConflictResponse({ type: ErrorBody, description: 'Setup not started, or MFA already on' })
  @ApiTooManyRequestsResponse({ type: ErrorBody, description: LOCKED })
  async verify(@Ctx() ctx: RequestContext, @Body() dto: MfaCodeDto): Promise<{ data: MfaEnabledDto; message: string }> {
    const codes = await this.mfa.confirmSetup(ctx, dto.code);
    return { data: { enabled: true, backup_codes: codes }, message: 'Two-factor authentication enabled; store the backup codes safely' };
  }

  @Get('backup-codes')
  @ApiOperation({ summary: 'How many backup codes remain (the codes themselves are never shown again)' })
  @ApiData(BackupCodeCountDto)
  @ApiConflictResponse({ type: ErrorBody, description: 'MFA is not on' })
  async backupCodes(@Ctx() ctx: RequestContext): Promise<{ data: BackupCodeCountDto }> {
    return { data: { remaining: await this.mfa.backupCodesRemaining(ctx), total: BACKUP_CODE_COUNT } };
  }

  @Post('backup-codes/regenerate')
  @HttpCode(200)
  @ApiOperation({ summary: 'New backup codes (shown once); needs a current code; the old ones stop working' })
  @ApiData(BackupCodesDto)
  @ApiInvalid()
  @ApiBadRequestResponse({ type: ErrorBody, description: WRONG_CODE })
  @ApiConflictResponse({ type: ErrorBody, description: 'MFA is not on' })
  @ApiTooManyRequestsResponse({ type: ErrorBody, description: LOCKED })
  async regenerate(@Ctx() ctx: RequestContext, @Body() dto: MfaCodeOrBackupDto): Promise<{ data: BackupCodesDto; message: string }> {
    return { data: { backup_codes: await this.mfa.regenerateBackupCodes(ctx, dto.code) }, message: 'New backup codes generated' };
  }

  @Delete('disable')
  @ApiOperation({ summary: 'Turn MFA off; needs a current code or a backup code' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiInvalid()
  @ApiBadRequestResponse({ type: ErrorBody, description: WRONG_CODE })
  @ApiConflictResponse({ type: ErrorBody, description: 'MFA is not on' })
  @ApiTooManyRequestsResponse({ type: ErrorBody, description: LOCKED })
  async disable(@Ctx() ctx: RequestContext, @Body() dto: MfaCodeOrBackupDto): Promise<MessageResponseDto> {
    await this.mfa.disable(ctx, dto.code);
    return { message: 'Two-factor authentication disabled' };
  }
}
