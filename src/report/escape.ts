/** Escaping for text placed into the report's HTML. */

const htmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEntities[c]!);
}

/**
 * JSON safe to place inside a `<script>` element: every `<` becomes `\u003c`, so no string in
 * the data (a `</script>` or `<!--` in a scenario description) can end or confuse the element,
 * and U+2028/U+2029 are escaped for older JavaScript parsers. `JSON.parse` restores the text.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * JavaScript source safe to inline in a `<script>` element. `</script` can only occur inside a
 * string, regular expression or comment, where `<\/script` means the same thing.
 */
export function scriptForInline(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}
