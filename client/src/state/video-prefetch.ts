import type { VideoDetails } from '../api/types';
import { getVideo } from '../api/videos';
import { api } from './api';

/**
 * A watch page opened directly asks for its video while the app's code is still loading; the page
 * takes that answer (once) instead of asking again.
 */
const pending = new Map<string, Promise<VideoDetails>>();

/** The video id of a watch URL path (`/w/:id`, `/videos/watch/:id`), or null. */
export function watchIdOf(path: string): string | null {
  const m = /^\/(?:w|videos\/watch)\/([^/?#]+)\/?$/.exec(path);
  return m ? decodeURIComponent(m[1]) : null;
}

export function prefetchVideo(id: string): void {
  const p = getVideo(api, id);
  p.catch(() => undefined); // an error is the page's to show, when it takes the answer
  pending.set(id, p);
}

/** The prefetched answer for this id, if any; a second call gets null (later loads ask afresh). */
export function takePrefetchedVideo(id: string): Promise<VideoDetails> | null {
  const p = pending.get(id) ?? null;
  pending.delete(id);
  return p;
}
