/** What a remote actor document says about its profile: display fields and images (§1). */
import { isUrl, type Json } from './ap-values';


export interface ActorImageLink {
  url: string;
  width: number;
  height: number;
}

const size = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 10_000 ? v : null);

/**
 * The `icon` (avatars) or `image` (banners) of an actor document: Image objects with an http(s)
 * URL and an image media type, at most one per width×height as PeerTube keeps them, at most 5.
 * Older documents give a single object instead of an array, sometimes without sizes.
 */
export function actorImages(value: unknown, fallback: { width: number; height: number }): ActorImageLink[] {
  const list = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
  const seen = new Set<string>();
  const out: ActorImageLink[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const i = item as Json;
    if (i.type !== undefined && i.type !== 'Image') continue;
    if (!isUrl(i.url)) continue;
    if (typeof i.mediaType === 'string' && !i.mediaType.startsWith('image/')) continue;
    const width = size(i.width) ?? fallback.width;
    const height = size(i.height) ?? fallback.height;
    const key = `${width}x${height}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ url: i.url, width, height });
    if (out.length === 5) break;
  }
  return out.sort((a, b) => a.width - b.width);
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim().length > 0 ? v.slice(0, max) : null);

/** Display name (the username when absent), description and support text of an actor document. */
export function actorProfile(doc: Json, preferredUsername: string): { name: string; description: string | null; support: string | null } {
  return {
    name: text(doc.name, 255) ?? preferredUsername,
    description: text(doc.summary, 1000),
    support: text(doc.support, 1000),
  };
}
