import { ref, type Ref } from 'vue';
import type { VideoDetails } from '../api/types';
import { getMyVideoRating } from '../api/users';
import { rateVideo } from '../api/videos';
import { api } from '../state/api';
import { errorMessage } from '../utils/errors';

type Rating = 'like' | 'dislike' | 'none';

/** The viewer's like/dislike of the watched video, changed with optimistic counters. */
export function useVideoRating(video: Ref<VideoDetails | null>) {
  const rating = ref<Rating>('none');
  const rateError = ref('');

  async function loadRating(v: VideoDetails): Promise<void> {
    try {
      rating.value = (await getMyVideoRating(api, v.id)).rating;
    } catch {
      rating.value = 'none';
    }
  }

  async function rate(kind: 'like' | 'dislike'): Promise<void> {
    const v = video.value;
    if (!v) return;
    rateError.value = '';
    const next = rating.value === kind ? 'none' : kind;
    const prev = rating.value;
    // Optimistic counters, rolled back when the server refuses.
    const apply = (from: Rating, to: Rating, sign: 1 | -1) => {
      if (from === 'like') v.likes -= sign;
      if (from === 'dislike') v.dislikes -= sign;
      if (to === 'like') v.likes += sign;
      if (to === 'dislike') v.dislikes += sign;
    };
    apply(prev, next, 1);
    rating.value = next;
    video.value = { ...v };
    try {
      await rateVideo(api, v.id, next);
    } catch (err) {
      apply(prev, next, -1);
      rating.value = prev;
      video.value = { ...v };
      rateError.value = errorMessage(err, 'Your rating was not saved');
    }
  }

  return { rating, rateError, loadRating, rate };
}
