/** The JSON-LD context PeerTube puts first on every document (see activitypub.md §9). */
export const AP_BASE_CONTEXT = [
  'https://www.w3.org/ns/activitystreams',
  'https://w3id.org/security/v1',
  { RsaSignature2017: 'https://w3id.org/security#RsaSignature2017' },
] as const;

export const AP_ACTOR_CONTEXT_EXTRA = {
  pt: 'https://joinpeertube.org/ns#',
  sc: 'http://schema.org/',
  playlists: { '@id': 'pt:playlists', '@type': '@id' },
  support: { '@type': 'sc:Text', '@id': 'pt:support' },
  lemmy: 'https://join-lemmy.org/ns#',
  postingRestrictedToMods: 'lemmy:postingRestrictedToMods',
  toot: 'http://joinmastodon.org/ns#',
  indexable: 'toot:indexable',
  discoverable: 'toot:discoverable',
} as const;

export const AP_PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

/** Accept values that select ActivityPub JSON; plain application/json does not. */
export const AP_MEDIA_TYPES = ['application/activity+json', 'application/ld+json'] as const;
export const AP_CONTENT_TYPE = 'application/activity+json; charset=utf-8';

export const AP_COLLECTION_PAGE_SIZE = 10;

/**
 * A collection as PeerTube serves it (activitypub.md §8): without a page, the OrderedCollection with
 * its total and (when not empty) `first`; with `page` (from 1), that OrderedCollectionPage of `items`.
 */
export function apCollection(id: string, totalItems: number, page: number | undefined, items: readonly unknown[]): Record<string, unknown> {
  if (!page) return { '@context': AP_BASE_CONTEXT, id, type: 'OrderedCollection', totalItems, ...(totalItems ? { first: `${id}?page=1` } : {}) };
  return {
    '@context': AP_BASE_CONTEXT,
    id: `${id}?page=${page}`,
    type: 'OrderedCollectionPage',
    partOf: id,
    totalItems,
    orderedItems: items,
    ...(page > 1 ? { prev: `${id}?page=${page - 1}` } : {}),
    ...(totalItems > page * AP_COLLECTION_PAGE_SIZE ? { next: `${id}?page=${page + 1}` } : {}),
  };
}
