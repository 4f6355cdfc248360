import { z } from 'zod';
import { parseDuration } from './duration';

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${String(v)} (e.g. '30 seconds', '1 day')` });
    return z.NEVER;
  }
  return ms;
});
const port = z.number().int().min(0).max(65535);
const folder = z.string().min(1).nullable();
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const RESOLUTION_KEYS = ['0p', '144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'] as const;

/** PeerTube's live ladder keys (no audio-only rung). */
export const LIVE_RESOLUTION_KEYS = ['144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'] as const;

export const configSchema = z.object({
  listen: z.object({ hostname: z.string().min(1), port }),
  webserver: z.object({ https: z.boolean(), hostname: z.string().min(1), port: port.min(1) }),
  database: z.object({
    hostname: z.string().min(1),
    port,
    name: z.string().min(1).max(63).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').nullable(),
    username: z.string().min(1),
    password: z.string().nullable(),
    ssl: z.boolean(),
    pool: z.object({ max: z.number().int().min(1).max(500) }),
  }),
  redis: z.object({
    hostname: z.string().min(1),
    port,
    db: z.number().int().min(0).max(15),
    password: z.string().nullable(),
    prefix: z.string().min(1).max(100).nullable(),
  }),
  storage: z.object({
    root: z.string().min(1),
    tmp: folder,
    web_videos: folder,
    streaming_playlists: folder,
    thumbnails: folder,
    previews: folder,
    avatars: folder,
    captions: folder,
    torrents: folder,
    logs: folder,
  }),
  log: z.object({ level: logLevel }),
  oauth2: z.object({ token_lifetime: z.object({ access_token: duration, refresh_token: duration }) }),
  rates_limit: z.object({
    enabled: z.boolean(),
    api: z.object({ window: duration, max: z.number().int().min(1) }),
    login: z.object({ window: duration, max: z.number().int().min(1) }),
    signup: z.object({ window: duration, max: z.number().int().min(1) }),
    ask_send_email: z.object({ window: duration, max: z.number().int().min(1) }),
    activity_pub: z.object({ window: duration, max: z.number().int().min(1) }),
    well_known: z.object({ window: duration, max: z.number().int().min(1) }),
  }),
  instance: z.object({
    name: z.string().min(1).max(120),
    short_description: z.string().max(400),
    description: z.string(),
    terms: z.string(),
    code_of_conduct: z.string(),
    moderation_information: z.string(),
    creation_reason: z.string(),
    administrator: z.string(),
    maintenance_lifetime: z.string(),
    business_model: z.string(),
    hardware_information: z.string(),
    is_nsfw: z.boolean(),
    default_nsfw_policy: z.enum(['display', 'blur', 'do_not_list']),
    languages: z.array(z.string()),
    categories: z.array(z.number().int()),
  }),
  signup: z.object({
    enabled: z.boolean(),
    limit: z.number().int().min(-1),
    requires_email_verification: z.boolean(),
    requires_approval: z.boolean(),
    minimum_age: z.number().int().min(0),
  }),
  user: z.object({ video_quota: z.number().int().min(-1), video_quota_daily: z.number().int().min(-1) }),
  video_channels: z.object({ max_per_user: z.number().int().min(1) }),
  uploads: z.object({
    max_chunk_size: z.number().int().min(1024),
    max_file_size: z.number().int().min(1),
    resumable_expiration: duration,
  }),
  transcoding: z.object({
    enabled: z.boolean(),
    keep_original: z.boolean(),
    web_videos: z.object({ enabled: z.boolean() }),
    hls: z.object({ enabled: z.boolean() }),
    threads: z.number().int().min(0),
    resolutions: z.object(Object.fromEntries(RESOLUTION_KEYS.map((k) => [k, z.boolean()])) as Record<
      (typeof RESOLUTION_KEYS)[number],
      z.ZodBoolean
    >),
    fps: z.object({ max: z.number().int().min(1).max(120) }),
  }),
  runners: z.object({
    embedded: z.object({
      enabled: z.boolean(),
      concurrency: z.number().int().min(1).max(32),
      live_concurrency: z.number().int().min(0).max(32),
      ffmpeg_threads: z.number().int().min(0),
      ffmpeg_nice: z.number().int().min(0).max(19).or(z.literal(20)),
    }),
    stalled_jobs: z.object({ vod: duration, live: duration }),
    success_max_wait: duration,
    completing_lease: duration,
    max_failures: z.number().int().min(1),
  }),
  live: z.object({
    enabled: z.boolean(),
    max_duration: z.union([z.literal(-1), duration]),
    max_instance_lives: z.number().int().min(-1),
    max_user_lives: z.number().int().min(-1),
    allow_replay: z.boolean(),
    reconnect_grace: duration,
    stalled_publisher: duration,
    runner_takeover_after: duration,
    max_runner_takeovers: z.number().int().min(0),
    runner_accept_timeout: duration,
    latency_setting: z.object({ enabled: z.boolean() }),
    rtmp: z.object({ enabled: z.boolean(), hostname: z.string().min(1), port, public_hostname: z.string().min(1).nullable() }),
    rtmps: z.object({ enabled: z.boolean(), port, key_file: z.string(), cert_file: z.string(), public_hostname: z.string().min(1).nullable() }),
    transcoding: z.object({
      enabled: z.boolean(),
      remote_runners: z.object({ enabled: z.boolean() }),
      threads: z.number().int().min(0),
      resolutions: z.object(Object.fromEntries(LIVE_RESOLUTION_KEYS.map((k) => [k, z.boolean()])) as Record<
        (typeof LIVE_RESOLUTION_KEYS)[number],
        z.ZodBoolean
      >),
      fps: z.object({ max: z.number().int().min(1).max(120) }),
      always_transcode_original_resolution: z.boolean(),
    }),
  }),
  p2p: z.object({ enabled: z.boolean(), max_announces_per_minute: z.number().int().min(1) }),
  federation: z.object({
    enabled: z.boolean(),
    prevent_ssrf: z.boolean(),
    sign_federated_fetches: z.boolean(),
    delivery: z.object({ first_retry_after: duration, max_retry_interval: duration, give_up_after: duration }),
    blocked_hosts: z.array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'a host name (with an optional port)').transform((h) => h.toLowerCase())),
  }),
  search: z.object({ remote_uri: z.object({ users: z.boolean(), anonymous: z.boolean() }) }),
  followers: z.object({ instance: z.object({ enabled: z.boolean(), manual_approval: z.boolean() }) }),
  contact_form: z.object({ enabled: z.boolean() }),
  admin: z.object({ email: z.string().trim().email().nullable() }),
  smtp: z.object({
    hostname: z.string().min(1).nullable(),
    port,
    username: z.string().nullable(),
    password: z.string().nullable(),
    tls: z.boolean(),
    disable_starttls: z.boolean(),
    from_address: z.string().min(3),
  }),
});

export type RawConfig = z.infer<typeof configSchema>;
