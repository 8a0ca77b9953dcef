/** At most `maxChars` UTF-16 units of `text`, ending in `ellipsis` when cut, never halving a surrogate pair. */
export function clip(text: string, maxChars: number, ellipsis = ''): string {
  if (text.length <= maxChars) return text;
  const kept = text.slice(0, Math.max(0, maxChars - ellipsis.length)).replace(/[\uD800-\uDBFF]$/, '');
  return `${kept}${ellipsis}`;
}
