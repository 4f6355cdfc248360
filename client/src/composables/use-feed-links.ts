import { onBeforeUnmount, watch, type Ref } from 'vue';

export interface FeedLink {
  title: string;
  /** A PeerTube feed path without the extension's query, e.g. `/feeds/videos.xml?videoChannelId=3`. */
  href: string;
  type: 'application/rss+xml' | 'application/atom+xml' | 'application/json';
}

/** RSS, Atom and JSON versions of one feed path (`/feeds/videos` + query). */
export function feedTrio(title: string, base: string, query = ''): FeedLink[] {
  const q = query ? `?${query}` : '';
  return [
    { title: `${title} (RSS)`, href: `${base}.xml${q}`, type: 'application/rss+xml' },
    { title: `${title} (Atom)`, href: `${base}.atom${q}`, type: 'application/atom+xml' },
    { title: `${title} (JSON)`, href: `${base}.json${q}`, type: 'application/json' },
  ];
}

/**
 * `<link rel="alternate">` feed tags in the document's head while a page is shown (feed readers and
 * browser extensions discover a page's feeds from them), replaced when the page's subject changes.
 */
export function useFeedLinks(links: Ref<FeedLink[]>): void {
  let added: HTMLLinkElement[] = [];
  const clear = () => {
    for (const el of added) el.remove();
    added = [];
  };
  watch(links, (list) => {
    clear();
    for (const l of list) {
      const el = document.createElement('link');
      el.rel = 'alternate';
      el.type = l.type;
      el.title = l.title;
      el.href = l.href;
      el.dataset.feed = '';
      document.head.appendChild(el);
      added.push(el);
    }
  }, { immediate: true });
  onBeforeUnmount(clear);
}
