/** The instance actor's name (PeerTube's). */
export const INSTANCE_ACTOR_NAME = 'peertube';
/** Remote actors and videos older than this are refreshed when used (PeerTube: 2 days). */
export const REMOTE_REFRESH_MS = 2 * 24 * 3600 * 1000;
export const AP_PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
