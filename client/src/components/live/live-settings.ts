import { computed } from 'vue';
import type { LiveVideo, LiveVideoLatencyMode, LiveVideoUpdate } from '@flotilla/shared';
import { VideoState } from '@flotilla/shared/video/enums';
import { serverConfig } from '../../state/server-config';

/** A live's settings as its forms edit them (the replay privacy is kept while replays are off). */
export interface LiveSettingsModel {
  permanentLive: boolean;
  saveReplay: boolean;
  replayPrivacy: number;
  latencyMode: LiveVideoLatencyMode;
}

export function defaultLiveSettings(): LiveSettingsModel {
  return { permanentLive: false, saveReplay: false, replayPrivacy: 1, latencyMode: 1 };
}

export function liveSettingsOf(live: LiveVideo): LiveSettingsModel {
  return { permanentLive: live.permanentLive, saveReplay: live.saveReplay, replayPrivacy: live.replaySettings?.privacy ?? 1, latencyMode: live.latencyMode };
}

/** The body fields of `POST /videos/live` and `PUT /videos/live/:id` (PeerTube's names). */
export function toLiveSettings(m: LiveSettingsModel): LiveVideoUpdate {
  return {
    permanentLive: m.permanentLive,
    saveReplay: m.saveReplay,
    ...(m.saveReplay ? { replaySettings: { privacy: m.replayPrivacy } } : {}),
    latencyMode: m.latencyMode,
  };
}

/** The instance's live options from its public config (null until it is loaded). */
export const liveServerConfig = computed(
  () => (serverConfig.value as { live?: { enabled?: boolean; allowReplay?: boolean; latencySetting?: { enabled?: boolean } } } | null)?.live ?? null,
);

/** A live's state in its owner's words. */
export function liveStateText(state: { id: number; label: string } | null): string {
  switch (state?.id) {
    case VideoState.WAITING_FOR_LIVE:
      return 'Waiting for your stream';
    case VideoState.PUBLISHED:
      return 'On air';
    case VideoState.LIVE_ENDED:
      return 'Ended';
    default:
      return state?.label ?? '';
  }
}
