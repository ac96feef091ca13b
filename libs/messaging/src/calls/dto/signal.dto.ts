import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';

/** Socket `call:end` / `call:reject`. */
export class CallIdDto {
  @IsUUID('all', { message: 'call_id must be a call id' })
  call_id: string;
}

/** An RTCSessionDescriptionInit. */
export class SessionDescriptionDto {
  @IsIn(['offer', 'answer', 'pranswer', 'rollback'])
  type: string;

  @IsString()
  @MaxLength(60_000)
  sdp: string;
}

/** An RTCIceCandidateInit (as `RTCIceCandidate.toJSON()` gives it). */
export class IceCandidateInitDto {
  @IsString()
  @MaxLength(2_000)
  candidate: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  sdpMid?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  sdpMLineIndex?: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  usernameFragment?: string | null;
}

class SignalDto extends CallIdDto {
  @IsUUID('all', { message: 'to_user_id must be a user id' })
  to_user_id: string;
}

/** Socket `call:offer` / `call:answer`. */
export class SdpSignalDto extends SignalDto {
  @IsObject()
  @ValidateNested()
  @Type(() => SessionDescriptionDto)
  sdp: SessionDescriptionDto;
}

/** Socket `call:ice-candidate`. */
export class IceCandidateSignalDto extends SignalDto {
  @IsObject()
  @ValidateNested()
  @Type(() => IceCandidateInitDto)
  candidate: IceCandidateInitDto;
}
