const MENTION = /@([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/gi;

/** The user ids `@<uuid>` tokens in `content` mention, lower-cased, each once, in order of first mention. */
export function mentionedIds(content: string): string[] {
  if (!content.includes('@')) return [];
  return [...new Set([...content.matchAll(MENTION)].map((m) => m[1].toLowerCase()))];
}
