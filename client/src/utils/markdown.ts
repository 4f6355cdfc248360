/**
 * Descriptions (videos, channels) as PeerTube shows them: markdown without raw HTML, sanitized once
 * more with DOMPurify, links opened safely, `#hashtags` turned into searches.
 */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
const HASHTAG = /(^|[\s(])#([\p{L}\p{N}_]{1,100})/gu;

/** Turns `#word` in text nodes (not inside links or code) into links to the search page. */
function linkHashtags(root: ParentNode, doc: Document): void {
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!(n.parentElement?.closest('a, code, pre'))) texts.push(n as Text);
  }
  for (const t of texts) {
    const value = t.nodeValue ?? '';
    const matches = [...value.matchAll(HASHTAG)];
    if (!matches.length) continue;
    const frag = doc.createDocumentFragment();
    let last = 0;
    for (const m of matches) {
      const start = m.index + m[1].length;
      frag.append(value.slice(last, start));
      const a = doc.createElement('a');
      a.href = `/search?search=${encodeURIComponent(`#${m[2]}`)}`;
      a.className = 'hashtag';
      a.textContent = `#${m[2]}`;
      frag.append(a);
      last = start + m[2].length + 1;
    }
    frag.append(value.slice(last));
    t.replaceWith(frag);
  }
}

export function renderMarkdown(source: string | null | undefined): string {
  if (!source) return '';
  const dirty = md.render(source);
  const clean = DOMPurify.sanitize(dirty, {
    ALLOWED_TAGS: ['a', 'p', 'br', 'strong', 'em', 'del', 's', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
    ALLOWED_ATTR: ['href', 'title'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/(?!\/)|#)/i,
    RETURN_DOM_FRAGMENT: true,
  });
  const doc = document.implementation.createHTMLDocument('');
  const box = doc.createElement('div');
  box.append(doc.importNode(clean, true));
  linkHashtags(box, doc);
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
