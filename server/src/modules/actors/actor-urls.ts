/** URL layout of local actors, as PeerTube's (remote instances and clients follow these). */
export type LocalActorKind = 'account' | 'channel';

export function actorUrls(base: string, kind: LocalActorKind, name: string) {
  const url = `${base}/${kind === 'account' ? 'accounts' : 'video-channels'}/${encodeURIComponent(name)}`;
  return {
    url,
    inboxUrl: `${url}/inbox`,
    outboxUrl: `${url}/outbox`,
    followersUrl: `${url}/followers`,
    followingUrl: `${url}/following`,
    sharedInboxUrl: `${base}/inbox`,
  };
}
