/** A short human name for a user agent, e.g. "Chrome on macOS"; good enough to recognise a device in a list. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const browser = (
    [
      [/Edg\//, 'Edge'],
      [/OPR\/|Opera/, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\/|CriOS\//, 'Chrome'],
      [/Safari\//, 'Safari'],
      [/curl\//, 'curl'],
      [/node|undici/i, 'Node.js'],
    ] as const
  ).find(([re]) => re.test(ua))?.[1];
  const os = (
    [
      [/iPhone|iPad|iOS/, 'iOS'],
      [/Android/, 'Android'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/Windows/, 'Windows'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ] as const
  ).find(([re]) => re.test(ua))?.[1];
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua.slice(0, 60);
}

/** How a session is shown to its user (sessions list, data export): never any token material. */
export function sessionView(s: {
  id: string;
  userAgent: string | null;
  ip: string | null;
  organizationId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}) {
  return {
    id: s.id,
    device: describeDevice(s.userAgent),
    user_agent: s.userAgent,
    ip: s.ip,
    organization_id: s.organizationId,
    created_at: s.createdAt.toISOString(),
    last_used_at: s.lastUsedAt.toISOString(),
    expires_at: s.expiresAt.toISOString(),
  };
}
