import { Inject, Injectable } from '@nestjs/common';
import {
  VIDEO_CATEGORIES,
  VIDEO_COMMENT_POLICY_LABELS,
  VIDEO_LANGUAGES,
  VIDEO_LICENCES,
  VIDEO_PRIVACY_LABELS,
  VIDEO_STATE_LABELS,
  VideoCommentPolicy,
  type Video,
  type VideoDetails,
  type VideoFile,
  type VideoPrivacy,
  type VideoState,
  type VideoStreamingPlaylist,
} from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { AccountsService } from '../users/accounts.service';
import { ChannelsService } from '../channels/channels.service';
import { ThumbnailType, type VideoFileModel, hlsFileUrl, magnetUri, STATIC_PATHS, trackerUrls, webVideoUrl, type VideoStreamingPlaylistModel } from '../media-files';
import { toShortUuid } from './video-access';
import type { VideoModel } from './video.model';

export function resolutionLabel(resolution: number): string {
  return resolution === 0 ? 'Audio' : `${resolution}p`;
}

/** Turns loaded models into PeerTube's JSON shapes (Video for lists, VideoDetails for one video). */
@Injectable()
export class VideoFormatterService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
  ) {}

  private thumbnailPath(video: VideoModel, type: number): string | null {
    const t = video.Thumbnails?.find((th) => th.type === type);
    if (!t) return null;
    return (type === ThumbnailType.MINIATURE ? STATIC_PATHS.thumbnails : STATIC_PATHS.previews) + t.filename;
  }

  format(video: VideoModel, opts: { withFiles?: boolean } = {}): Video {
    const channel = video.VideoChannel!;
    const description = video.description;
    const out: Video = {
      id: video.id,
      uuid: video.uuid,
      shortUUID: toShortUuid(video.uuid),
      url: video.url,
      name: video.name,
      isLive: video.isLive,
      isLocal: !video.remote,
      createdAt: video.createdAt.toISOString(),
      publishedAt: video.publishedAt?.toISOString() ?? null,
      updatedAt: video.updatedAt.toISOString(),
      originallyPublishedAt: video.originallyPublishedAt?.toISOString() ?? null,
      category: { id: video.category, label: video.category !== null ? (VIDEO_CATEGORIES[video.category] ?? 'Unknown') : 'Unknown' },
      licence: { id: video.licence, label: video.licence !== null ? (VIDEO_LICENCES[video.licence] ?? 'Unknown') : 'Unknown' },
      language: { id: video.language, label: video.language !== null ? (VIDEO_LANGUAGES[video.language] ?? 'Unknown') : 'Unknown' },
      privacy: { id: video.privacy, label: VIDEO_PRIVACY_LABELS[video.privacy as VideoPrivacy] ?? 'Unknown' },
      state: { id: video.state, label: VIDEO_STATE_LABELS[video.state as VideoState] ?? 'Unknown' },
      truncatedDescription: description ? (description.length > 250 ? description.slice(0, 247) + '...' : description) : null,
      description: description ? (description.length > 250 ? description.slice(0, 247) + '...' : description) : null,
      duration: video.duration,
      aspectRatio: video.aspectRatio,
      thumbnailPath: this.thumbnailPath(video, ThumbnailType.MINIATURE),
      previewPath: this.thumbnailPath(video, ThumbnailType.PREVIEW),
      embedPath: `/videos/embed/${video.uuid}`,
      views: video.views,
      viewers: 0,
      likes: video.likes,
      dislikes: video.dislikes,
      nsfw: video.nsfw,
      waitTranscoding: video.waitTranscoding,
      scheduledUpdate: null,
      blacklisted: false,
      blacklistedReason: null,
      account: this.accounts.summary(channel.Account!),
      channel: this.channels.summary(channel),
      userHistory: null,
    };
    if (opts.withFiles) {
      out.files = this.webVideoFiles(video);
      out.streamingPlaylists = this.streamingPlaylists(video);
    }
    return out;
  }

  details(video: VideoModel): VideoDetails {
    const base = this.format(video);
    const channel = video.VideoChannel!;
    return {
      ...base,
      description: video.description,
      support: video.support,
      account: this.accounts.format(channel.Account!),
      channel: this.channels.format(channel),
      tags: video.tags ?? [],
      commentsEnabled: video.commentsPolicy !== VideoCommentPolicy.DISABLED,
      commentsPolicy: { id: video.commentsPolicy, label: VIDEO_COMMENT_POLICY_LABELS[video.commentsPolicy as VideoCommentPolicy] ?? 'Unknown' },
      downloadEnabled: video.downloadEnabled,
      inputFileUpdatedAt: video.inputFileUpdatedAt?.toISOString() ?? null,
      // A remote video's trackers are its origin's (RemoteTrackersService, filled in by the API).
      trackerUrls: video.remote ? [] : trackerUrls(this.config),
      files: this.webVideoFiles(video),
      streamingPlaylists: this.streamingPlaylists(video),
    };
  }

  private webVideoFiles(video: VideoModel): VideoFile[] {
    return [...(video.VideoFiles ?? [])].sort((a, b) => b.resolution - a.resolution).map((f) => this.formatFile(video, f, null));
  }

  private streamingPlaylists(video: VideoModel): VideoStreamingPlaylist[] {
    return (video.VideoStreamingPlaylists ?? []).map((p) => ({
      id: p.id,
      type: p.type,
      playlistUrl: p.playlistUrl ?? hlsFileUrl(this.config, video.privacy, video.uuid, p.playlistFilename),
      segmentsSha256Url: p.segmentsSha256Url ?? hlsFileUrl(this.config, video.privacy, video.uuid, p.segmentsSha256Filename),
      files: [...(p.VideoFiles ?? [])].sort((a, b) => b.resolution - a.resolution).map((f) => this.formatFile(video, f, p)),
      redundancies: [],
    }));
  }

  formatFile(video: VideoModel, file: VideoFileModel, playlist: VideoStreamingPlaylistModel | null): VideoFile {
    const base = this.config.webserverUrl;
    const fileUrl =
      file.fileUrl ??
      (playlist ? hlsFileUrl(this.config, video.privacy, video.uuid, file.filename) : webVideoUrl(this.config, video.privacy, file.filename));
    const fileDownloadUrl = playlist
      ? `${base}/download/streaming-playlists/hls/videos/${video.uuid}-${file.resolution}-fragmented${file.extname}`
      : `${base}${STATIC_PATHS.downloadVideos}${video.uuid}-${file.resolution}${file.extname}`;
    const torrentUrl = file.torrentFilename ? `${base}${STATIC_PATHS.torrents}${file.torrentFilename}` : null;
    return {
      id: file.id,
      resolution: { id: file.resolution, label: resolutionLabel(file.resolution) },
      size: file.size,
      fps: file.fps,
      width: file.width,
      height: file.height,
      fileUrl,
      fileDownloadUrl,
      torrentUrl,
      torrentDownloadUrl: file.torrentFilename ? `${base}${STATIC_PATHS.downloadTorrents}${file.torrentFilename}` : null,
      magnetUri:
        torrentUrl && file.infoHash
          ? magnetUri({ infoHash: file.infoHash, name: video.name, torrentUrl, fileUrl, trackers: trackerUrls(this.config) })
          : null,
      metadataUrl: null,
      hasAudio: file.hasAudio,
      hasVideo: file.hasVideo,
      storage: file.storage,
    };
  }
}
