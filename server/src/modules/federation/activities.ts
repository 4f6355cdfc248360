import { AP_BASE_CONTEXT } from '@flotilla/shared';

/** Builders of the activities PeerTube mints (URL shapes of activitypub.md §3.3). */
export type Activity = Record<string, unknown> & { id: string; type: string; actor: string };

export function followActivity(followUrl: string, actorUrl: string, targetUrl: string): Activity {
  return { '@context': AP_BASE_CONTEXT, id: followUrl, type: 'Follow', actor: actorUrl, object: targetUrl };
}

/** The Follow rebuilt inside Accept/Reject/Undo keeps the follower's own id (Mastodon matches by it). */
const nestedFollow = (followUrl: string, actorUrl: string, targetUrl: string) => ({ id: followUrl, type: 'Follow', actor: actorUrl, object: targetUrl });

export function acceptActivity(base: string, followId: number, followUrl: string, followerUrl: string, targetUrl: string): Activity {
  return { '@context': AP_BASE_CONTEXT, id: `${base}/accepts/follows/${followId}`, type: 'Accept', actor: targetUrl, object: nestedFollow(followUrl, followerUrl, targetUrl) };
}

export function rejectActivity(base: string, followUrl: string, followerUrl: string, targetUrl: string): Activity {
  return {
    '@context': AP_BASE_CONTEXT,
    id: `${base}/rejects/follows/${new Date().toISOString()}`,
    type: 'Reject',
    actor: targetUrl,
    object: nestedFollow(followUrl, followerUrl, targetUrl),
  };
}

export function undoFollowActivity(followUrl: string, followerUrl: string, targetUrl: string): Activity {
  return { '@context': AP_BASE_CONTEXT, id: `${followUrl}/undo`, type: 'Undo', actor: followerUrl, object: nestedFollow(followUrl, followerUrl, targetUrl) };
}

/** The id of an activity's actor / object, whether given as a URL or embedded. */
export function idOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return (v as { id: string }).id;
  return null;
}
