import sanitizeHtml from 'sanitize-html';

/**
 * `@name` or `@name@host` where a word starts (not inside an e-mail address): PeerTube's mention
 * syntax in comment markdown. Names follow PeerTube's actor-name rule.
 */
const MENTION = /(?:^|[^\w@/.])@([A-Za-z0-9_.-]{1,50})(?:@([A-Za-z0-9.-]+(?::\d{1,5})?))?/g;

export interface Mention {
  name: string;
  host: string | null;
}

/** The distinct mentions of a comment's text (at most 20: a comment is not a mass mailing). */
export function mentionsOf(text: string): Mention[] {
  const seen = new Map<string, Mention>();
  for (const m of text.matchAll(MENTION)) {
    const name = m[1].replace(/\.+$/, '');
    if (!name) continue;
    const host = m[2] ? m[2].toLowerCase().replace(/\.+$/, '') : null;
    seen.set(`${name.toLowerCase()}@${host ?? ''}`, { name, host });
    if (seen.size >= 20) break;
  }
  return [...seen.values()];
}

/**
 * Remote comment HTML (Mastodon's `<p>`, `<br>`, mention and hashtag links) kept to the tags a
 * comment needs, links to http(s) only, every other attribute (event handlers, style) dropped.
 * The web client sanitizes once more when it renders: this copy is what other clients of the API get.
 */
export function sanitizeRemoteHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['a', 'p', 'br', 'span', 'strong', 'b', 'em', 'i', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li'],
    allowedAttributes: { a: ['href', 'rel', 'class'], span: ['class'] },
    allowedSchemes: ['http', 'https'],
    allowedSchemesAppliedToAttributes: ['href'],
    allowProtocolRelative: false,
    // Script and style contents are dropped with their tags, not kept as text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }) },
  }).trim();
}
