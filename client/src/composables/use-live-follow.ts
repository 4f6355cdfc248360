import { ref } from 'vue';
import { getLive } from '../api/live';
import type { VideoDetails } from '../api/types';
import { api } from '../state/api';
import { followLive, type LiveFollow } from '../state/live-socket';

/**
 * A watch page follows its live on /live-videos (state changes switch the player in and out
 * without a reload; the viewer count) and reads the live's latency mode, which the player needs
 * before it starts (its distance to the live edge depends on it).
 */
export function useLiveFollow(onStateChange: (uuid: string) => void) {
  const viewers = ref<number | null>(null);
  /** null until known; 0 when the live's settings could not be read. */
  const latencyMode = ref<number | null>(null);
  let follow: LiveFollow | null = null;
  let followed: number | null = null;

  function stop(): void {
    follow?.stop();
    follow = null;
    followed = null;
  }

  async function followIfLive(v: VideoDetails): Promise<void> {
    if (followed === v.id) return;
    stop();
    viewers.value = null;
    latencyMode.value = null;
    if (!v.isLive) return;
    followed = v.id;
    void getLive(api, v.id).then(
      (l) => {
        if (followed === v.id) latencyMode.value = l.latencyMode;
      },
      () => {
        if (followed === v.id) latencyMode.value = 0;
      },
    );
    const f = await followLive(v.id, {
      stateChange: () => onStateChange(v.uuid),
      viewers: (n) => (viewers.value = n),
    });
    if (followed === v.id) follow = f;
    else f.stop();
  }

  return { viewers, latencyMode, followIfLive, stop };
}
