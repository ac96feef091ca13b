import { Transform } from 'class-transformer';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** A string field arrives without surrounding whitespace (before it is validated); other types pass untouched. */
export const Trimmed = () => Transform(trim);

/** Emails, slugs: trimmed and lowercased before they are validated. */
export const TrimmedLowercase = () => Transform(trimLower);
