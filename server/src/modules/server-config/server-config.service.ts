import { Inject, Injectable } from '@nestjs/common';
import { VIDEO_FILE_EXTENSIONS, type ServerConfig } from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { IMAGE_EXTENSIONS, IMAGE_MAX_SIZE } from '../actors/actor-images.service';
import { LIVE_RESOLUTION_KEYS, RESOLUTION_KEYS } from '../../config/config.schema';

/** The PeerTube API version whose shapes Flotilla serves; clients gate features on it. */
export const PEERTUBE_API_VERSION = '7.0.0';

@Injectable()
export class ServerConfigService {
  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  private built: ReturnType<ServerConfigService['compute']> | null = null;
  /** Bumped when the instance settings change (custom config): the controller rebuilds its body. */
  version = 0;

  /** GET /api/v1/config: built once per settings version. */
  build() {
    this.built ??= this.compute();
    return this.built;
  }

  /** The settings changed (an administrator saved the custom config): rebuild on next read. */
  invalidate(): void {
    this.built = null;
    this.version++;
  }

  /** The whole object PeerTube clients read, with values true for this instance. */
  private compute() {
    const c = this.config;
    const resolutions = RESOLUTION_KEYS.filter((k) => k !== '0p').map((k) => parseInt(k, 10));
    const file = (max: number, extensions: string[]) => ({ size: { max }, extensions });
    return {
      serverVersion: PEERTUBE_API_VERSION,
      serverCommit: 'flotilla',
      software: { name: 'flotilla', version: '0.1.0' },
      client: {
        videos: {
          miniature: { displayAuthorAvatar: false, preferAuthorDisplayName: false },
          resumableUpload: { maxChunkSize: c.uploads.max_chunk_size },
        },
        browseVideos: { defaultSort: '-publishedAt', defaultScope: 'federated' },
        menu: { login: { redirectOnSingleExternalAuth: false } },
        header: { hideInstanceName: false },
        openInApp: { android: { intent: { enabled: false, host: '', scheme: '' } }, ios: { enabled: false, host: '', scheme: '' } },
      },
      defaults: {
        publish: { downloadEnabled: true, commentsPolicy: 1, commentsEnabled: true, privacy: 1, licence: null },
        p2p: { webapp: { enabled: c.p2p.enabled }, embed: { enabled: c.p2p.enabled } },
        player: { theme: 'galaxy', autoPlay: true },
      },
      webadmin: { configuration: { edition: { allowed: true } } },
      instance: {
        name: c.instance.name,
        shortDescription: c.instance.short_description,
        isNSFW: c.instance.is_nsfw,
        defaultNSFWPolicy: c.instance.default_nsfw_policy,
        defaultClientRoute: '/videos/browse',
        defaultLanguage: 'en',
        serverCountry: '',
        support: { text: '' },
        social: { blueskyLink: '', mastodonLink: '', externalLink: '' },
        customizations: { javascript: '', css: '' },
        avatars: [],
        banners: [],
        logo: [],
      },
      search: {
        remoteUri: { users: true, anonymous: false },
        searchIndex: { enabled: false, url: '', disableLocalSearch: false, isDefaultSearch: false },
      },
      plugin: { registered: [], registeredExternalAuths: [], registeredIdAndPassAuths: [] },
      theme: { registered: [], builtIn: [{ name: 'peertube-core-light-beige' }, { name: 'peertube-core-dark-brown' }], default: 'default', customization: {} },
      email: { enabled: !!c.smtp.hostname },
      contactForm: { enabled: c.contact_form.enabled },
      signup: {
        allowed: c.signup.enabled,
        allowedForCurrentIP: c.signup.enabled,
        requiresEmailVerification: c.signup.requires_email_verification,
        requiresApproval: c.signup.requires_approval,
        minimumAge: c.signup.minimum_age,
      },
      transcoding: {
        hls: { enabled: c.transcoding.hls.enabled },
        web_videos: { enabled: c.transcoding.web_videos.enabled },
        webVideos: { enabled: c.transcoding.web_videos.enabled },
        enabledResolutions: c.enabledResolutions.filter((r) => r > 0),
        profile: 'default',
        availableProfiles: ['default'],
        remoteRunners: { enabled: true },
      },
      live: {
        enabled: c.live.enabled,
        allowReplay: c.live.allow_replay,
        latencySetting: { enabled: c.live.latency_setting.enabled },
        maxDuration: c.live.max_duration,
        maxInstanceLives: c.live.max_instance_lives,
        maxUserLives: c.live.max_user_lives,
        transcoding: {
          enabled: c.live.transcoding.enabled,
          remoteRunners: { enabled: c.live.transcoding.remote_runners.enabled },
          enabledResolutions: LIVE_RESOLUTION_KEYS.filter((k) => c.live.transcoding.resolutions[k]).map((k) => parseInt(k, 10)),
          profile: 'default',
          availableProfiles: ['default'],
        },
        rtmp: { port: c.live.rtmp.port },
      },
      videoStudio: { enabled: false, remoteRunners: { enabled: false } },
      videoTranscription: { enabled: false, remoteRunners: { enabled: false } },
      videoFile: { update: { enabled: false } },
      import: { videos: { http: { enabled: false }, torrent: { enabled: false } }, videoChannelSynchronization: { enabled: false }, users: { enabled: false } },
      export: { users: { enabled: false, exportExpiration: 0, maxUserVideoQuota: 0 } },
      autoBlacklist: { videos: { ofUsers: { enabled: false } } },
      avatar: { file: file(IMAGE_MAX_SIZE, IMAGE_EXTENSIONS) },
      banner: { file: file(IMAGE_MAX_SIZE, IMAGE_EXTENSIONS) },
      video: {
        image: file(IMAGE_MAX_SIZE, ['.png', '.jpg', '.jpeg', '.webp']),
        file: { extensions: VIDEO_FILE_EXTENSIONS },
      },
      videoCaption: { file: file(20 * 1024 * 1024, ['.vtt', '.srt']) },
      user: { videoQuota: c.user.video_quota, videoQuotaDaily: c.user.video_quota_daily },
      videoChannels: { maxPerUser: c.video_channels.max_per_user },
      trending: { videos: { intervalDays: 7, algorithms: { enabled: ['hot', 'most-viewed', 'most-liked'], default: 'most-viewed' } } },
      tracker: { enabled: c.p2p.enabled },
      followings: { instance: { autoFollowIndex: { indexUrl: '' } } },
      federation: { enabled: c.federation.enabled },
      broadcastMessage: { enabled: false, message: '', level: 'info', dismissable: false },
      homepage: { enabled: false },
      openTelemetry: { metrics: { enabled: false, playbackStatsInterval: 15000 } },
      views: { videos: { remote: { maxAge: 30 * 86400 * 1000 }, local: { maxAge: -1 }, watchingInterval: { anonymous: 5000, users: 5000 } } },
      storyboards: { enabled: false },
      webrtc: { stunServers: [] },
      nsfwFlagsSettings: { enabled: false },
      fieldsConstraints: { users: { password: { minLength: 6, maxLength: 255 } } },
      resolutions,
    } satisfies ServerConfig;
  }

  about() {
    const c = this.config.instance;
    return {
      instance: {
        name: c.name,
        shortDescription: c.short_description,
        description: c.description,
        terms: c.terms,
        codeOfConduct: c.code_of_conduct,
        hardwareInformation: c.hardware_information,
        creationReason: c.creation_reason,
        moderationInformation: c.moderation_information,
        administrator: c.administrator,
        maintenanceLifetime: c.maintenance_lifetime,
        businessModel: c.business_model,
        languages: c.languages,
        categories: c.categories,
        avatars: [],
        banners: [],
      },
    };
  }
}
