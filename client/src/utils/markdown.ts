/**
 * Descriptions (videos, channels) as PeerTube shows them: markdown without raw HTML, sanitized once
 * more with DOMPurify, links opened safely, `#hashtags` turned into searches. Comments use the same
 * path with HTML let through markdown-it (remote comments from Mastodon are HTML) — DOMPurify's
 * allowlist below is what decides, and `@name@host` mentions become account links.
 */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
const mdWithHtml = new MarkdownIt({ html: true, linkify: true, breaks: true, typographer: false });
const HASHTAG = /(^|[\s(])#([\p{L}\p{N}_]{1,100})/gu;
const MENTION = /(^|[\s(])@([A-Za-z0-9_.-]{1,50}(?:@[A-Za-z0-9.-]+(?::\d{1,5})?)?)/g;

/** Turns `#word` (or `@name@host`) in text nodes (not inside links or code) into links. */
function linkTokens(root: ParentNode, doc: Document, pattern: RegExp, link: (word: string) => { href: string; text: string; className: string }): void {
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!(n.parentElement?.closest('a, code, pre'))) texts.push(n as Text);
  }
  for (const t of texts) {
    const value = t.nodeValue ?? '';
    const matches = [...value.matchAll(pattern)];
    if (!matches.length) continue;
    const frag = doc.createDocumentFragment();
    let last = 0;
    for (const m of matches) {
      const start = m.index + m[1].length;
      frag.append(value.slice(last, start));
      const a = doc.createElement('a');
      const target = link(m[2]);
      a.setAttribute('href', target.href);
      a.className = target.className;
      a.textContent = target.text;
      frag.append(a);
      last = start + m[2].length + 1;
    }
    frag.append(value.slice(last));
    t.replaceWith(frag);
  }
}

const hashtagLink = (word: string) => ({ href: `/search?search=${encodeURIComponent(`#${word}`)}`, text: `#${word}`, className: 'hashtag' });
const mentionLink = (handle: string) => ({ href: `/a/${encodeURIComponent(handle)}`, text: `@${handle}`, className: 'mention' });

export function renderMarkdown(source: string | null | undefined, opts: { comment?: boolean } = {}): string {
  if (!source) return '';
  const dirty = (opts.comment ? mdWithHtml : md).render(source);
  const clean = DOMPurify.sanitize(dirty, {
    ALLOWED_TAGS: ['a', 'p', 'br', 'span', 'strong', 'em', 'b', 'i', 'del', 's', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
    ALLOWED_ATTR: ['href', 'title'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/(?!\/)|#)/i,
    RETURN_DOM_FRAGMENT: true,
  });
  const doc = document.implementation.createHTMLDocument('');
  const box = doc.createElement('div');
  box.append(doc.importNode(clean, true));
  linkTokens(box, doc, HASHTAG, hashtagLink);
  if (opts.comment) linkTokens(box, doc, MENTION, mentionLink);
  for (const a of box.querySelectorAll('a')) {
    const href = a.getAttribute('href') ?? '';
    if (/^https?:/i.test(href)) {
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  }
  // Headings inside a description must not outrank the page's own.
  for (const h of box.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const p = doc.createElement('p');
    const strong = doc.createElement('strong');
    strong.append(...h.childNodes);
    p.append(strong);
    h.replaceWith(p);
  }
  return box.innerHTML;
}
