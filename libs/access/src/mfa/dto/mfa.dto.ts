import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class MfaCodeDto {
  @ApiProperty({ example: '123456', description: 'A 6-digit code from the authenticator app' })
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code: string;
}

export class MfaCodeOrBackupDto {
  @ApiProperty({ example: '123456', description: 'A 6-digit code from the authenticator app, or an unused backup code (xxxxx-xxxxx)' })
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code: string;
}

export class MfaStatusDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ description: 'A secret was issued but not yet confirmed with a code' }) pending_setup: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) enabled_at: string | null;
  @ApiProperty({ example: 10 }) backup_codes_remaining: number;
}

export class MfaSetupDto {
  @ApiProperty({ description: 'Base32 secret, for typing into an app by hand; shown only now', example: 'JBSWY3DPEHPK3PXP' })
  secret: string;
  @ApiProperty({ example: 'otpauth://totp/Atrium:jane%40acme.io?secret=…&issuer=Atrium' }) otpauth_url: string;
  @ApiProperty({ description: 'The otpauth URL as a PNG QR code data URL', example: 'data:image/png;base64,iVBOR…' }) qr_code: string;
}

export class BackupCodesDto {
  @ApiProperty({ type: [String], description: 'Each works once; shown only in this response', example: ['k7m2p-x9q4r'] })
  backup_codes: string[];
}

export class MfaEnabledDto extends BackupCodesDto {
  @ApiProperty({ example: true }) enabled: boolean;
}

export class BackupCodeCountDto {
  @ApiProperty({ example: 9 }) remaining: number;
  @ApiProperty({ example: 10 }) total: number;
}
