import { isIP } from 'node:net';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/** proxy-addr's named ranges, as Express accepts them. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const entriesOf = (value: string) =>
  value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);

function isAddressOrSubnet(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** Why a TRUST_PROXY value is refused, or undefined when it is a hop count, a list of proxies, or false. */
export function trustProxyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'TRUST_PROXY must be a string';
  const v = value.trim();
  if (/^true$/i.test(v)) {
    return (
      '`true` trusts every hop, so any client could choose its own address with X-Forwarded-For: give a hop count ' +
      '(the number of proxies in front of the app, e.g. 1) or the proxies’ addresses or CIDR subnets (e.g. 10.0.0.0/8, loopback)'
    );
  }
  if (v === '' || /^false$/i.test(v) || /^\d+$/.test(v)) return undefined;
  const bad = entriesOf(v).filter((e) => !isAddressOrSubnet(e));
  if (!bad.length) return undefined;
  return `expected false, a hop count, or a comma-separated list of addresses or CIDR subnets; not ${bad.map((e) => `"${e}"`).join(', ')}`;
}

/** class-validator rule for TRUST_PROXY (see `trustProxyProblem`). */
export function IsTrustProxy(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustProxy',
      validator: {
        validate: (value: unknown) => trustProxyProblem(value) === undefined,
        defaultMessage: (args) => trustProxyProblem(args?.value) ?? '',
      },
    },
    options,
  );
}

/** Express's `trust proxy` setting for a valid TRUST_PROXY: false, a hop count, or the list of proxies. */
export function parseTrustProxy(value: string): false | number | string {
  const v = value.trim();
  if (v === '' || /^false$/i.test(v)) return false;
  if (/^\d+$/.test(v)) return Number(v);
  return entriesOf(v).join(',');
}
