/**
 * Names of a low-latency live's stored files, and how its replay reads them back. Each complete
 * segment is stored as `seg-<msn>.m4s`; each encoder run (the first publish, then each reconnect
 * within the grace window) stores its init segment as `init-at-<msn>.mp4`, `<msn>` being the first
 * segment number of that run, so the folder alone says which init each segment needs (also after
 * a restart, when nothing of the session is left in memory).
 */
export const llSegmentName = (msn: number): string => `seg-${msn}.m4s`;
export const llStoredInitName = (firstMsn: number): string => `init-at-${firstMsn}.mp4`;

const SEGMENT = /^seg-(\d{1,9})\.m4s$/;
const INIT = /^init-at-(\d{1,9})\.mp4$/;

/** One encoder run of a low-latency live: its init segment and its complete segments in order. */
export interface LlReplayRun {
  init: string;
  segments: string[];
}

/**
 * The stored files of a low-latency live grouped by encoder run, in order; runs without a stored
 * segment (or segments without a known init) are left out. Empty for a runner-made live.
 */
export function llReplayRuns(names: string[]): LlReplayRun[] {
  const inits = names
    .map((n) => ({ n, at: INIT.exec(n) }))
    .filter((x) => x.at)
    .map((x) => ({ name: x.n, from: Number(x.at![1]) }))
    .sort((a, b) => a.from - b.from);
  const segments = names
    .map((n) => ({ n, m: SEGMENT.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ name: x.n, msn: Number(x.m![1]) }))
    .sort((a, b) => a.msn - b.msn);
  return inits
    .map((init, i) => {
      const until = inits[i + 1]?.from ?? Infinity;
      return { init: init.name, segments: segments.filter((s) => s.msn >= init.from && s.msn < until).map((s) => s.name) };
    })
    .filter((r) => r.segments.length > 0);
}
