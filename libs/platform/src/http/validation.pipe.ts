import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { PlatformError } from '../platform.errors.js';

export interface FieldProblem {
  field: string;
  problems: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Distinct query strings and bodies remembered per DTO class. */
const MAX_REMEMBERED = 500;
/** A body longer than this (as JSON) is validated every time. */
const MAX_REMEMBERED_BODY = 256;

/**
 * Whitelisting validation that names every bad field in one 400. A query string is validated once per
 * distinct value: `?page=1&limit=10` arrives on every list request, and turning the same strings into the
 * same DTO through class-transformer and class-validator each time showed in the bench profile. Only
 * DTOs that opt in are remembered (`PageQueryDto` and its subclasses: list filters, never tokens; a few
 * small flat bodies that carry no secret, such as a quote's package and period), only valid ones, and each
 * caller gets its own copy of a frozen original.
 */
class AtriumValidationPipe extends ValidationPipe {
  private readonly remembered = new WeakMap<object, Map<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    const remember = (metatype as { rememberValidation?: boolean } | undefined)?.rememberValidation;
    const key = remember ? rememberedAs(value, metadata.type) : undefined;
    if (!key || !metatype) return super.transform(value, metadata);
    let known = this.remembered.get(metatype);
    if (!known) this.remembered.set(metatype, (known = new Map<string, object>()));
    const hit = known.get(key);
    if (hit) return copy(hit);
    const validated = (await super.transform(value, metadata)) as object;
    if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value!);
    known.set(key, Object.freeze(copy(validated)));
    return copy(validated);
  }
}

/** The key a valid value is remembered under; undefined when it is not remembered. */
function rememberedAs(value: unknown, type: ArgumentMetadata['type']): string | undefined {
  if (type === 'query') return isQueryObject(value) ? `q${JSON.stringify(value)}` : undefined;
  if (type !== 'body' || !isFlatObject(value)) return undefined;
  const json = JSON.stringify(value);
  return json.length <= MAX_REMEMBERED_BODY ? `b${json}` : undefined;
}

/** What Express's query parser makes: an object of strings (or arrays of strings). */
function isQueryObject(value: unknown): value is Record<string, string | string[]> {
  if (typeof value !== 'object' || value === null) return false;
  for (const v of Object.values(value)) {
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return false;
  }
  return true;
}

/** A JSON object whose values are all strings, numbers, booleans or null. */
function isFlatObject(value: unknown): value is Record<string, string | number | boolean | null> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const v of Object.values(value)) {
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return false;
  }
  return true;
}

/** A copy with the same prototype; array fields are copied too (query DTOs are flat). */
function copy<T extends object>(dto: T): T {
  const out = Object.create(Object.getPrototypeOf(dto) as object) as Record<string, unknown>;
  for (const [k, v] of Object.entries(dto)) out[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  return out as T;
}

export function createValidationPipe(): ValidationPipe {
  return new AtriumValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const lines = details.flatMap((d) => d.problems);
      return PlatformError.validation_failed(lines.join('; ') || undefined, details);
    },
  });
}
