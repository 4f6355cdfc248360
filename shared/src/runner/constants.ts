/** Facts of PeerTube's runner protocol that both sides must agree on. */
export const RUNNER_PROTOCOL = {
  /** Every runner route lives under this path on the instance URL. */
  BASE_PATH: '/api/v1/runners',
  /** `error` resets the job to PENDING while `failures` stays below this; then the job is ERRORED. */
  MAX_FAILURES: 5,
  /** `POST /jobs/request` lists at most this many pending jobs. */
  MAX_AVAILABLE_JOBS: 10,
  /** A VOD job whose last `update` is older than this is aborted back to PENDING by the server. */
  STALLED_VOD_JOB_MS: 2 * 60_000,
  /** Live jobs stall much sooner; their abort is an error. */
  STALLED_LIVE_JOB_MS: 30_000,
  /** The server refreshes a runner's lastContact/ip at most this often. */
  LAST_CONTACT_UPDATE_INTERVAL_MS: 30_000,
  /** At most one `available-jobs` socket ping per this window (the first at once). */
  AVAILABLE_JOBS_PING_DEBOUNCE_MS: 1_000,
  /** Token prefixes (opaque to the other side, but PeerTube's look). */
  REGISTRATION_TOKEN_PREFIX: 'ptrrt-',
  RUNNER_TOKEN_PREFIX: 'ptrt-',
  JOB_TOKEN_PREFIX: 'ptrjt-',
} as const;

/** PeerTube's JOB_PRIORITY values: lower is served first. */
export const RUNNER_JOB_PRIORITY = {
  STORYBOARD: 95,
  REQUIRED_TRANSCODING: 100,
  VIDEO_STUDIO: 150,
  TRANSCRIPTION: 200,
  OPTIONAL_TRANSCODING: 10_000,
} as const;

/** Multipart file fields the success/update routes accept (PeerTube's bracket notation). */
export const RUNNER_UPLOAD_FILE_FIELDS = [
  'payload[videoFile]',
  'payload[resolutionPlaylistFile]',
  'payload[vttFile]',
  'payload[storyboardFile]',
  'payload[videoChunkFile]',
  'payload[masterPlaylistFile]',
] as const;
