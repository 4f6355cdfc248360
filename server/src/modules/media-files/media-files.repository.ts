import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import { VideoStreamingPlaylistType } from '@flotilla/shared';
import type { ProbeSummary } from '@flotilla/shared';
import { ThumbnailModel, ThumbnailType } from './thumbnail.model';
import { probeColumns, probeOfSource, VideoSourceModel } from './video-source.model';
import { VideoFileModel } from './video-file.model';
import { VideoStreamingPlaylistModel } from './video-streaming-playlist.model';

/** Columns of a new `video_file` row (web video or HLS rendition), owner ids aside. */
export interface VideoFileValues {
  resolution: number;
  size: number;
  fps: number;
  width: number | null;
  height: number | null;
  extname: string;
  filename: string;
  infoHash?: string | null;
  torrentFilename?: string | null;
  hasAudio: boolean;
  hasVideo: boolean;
  codecs?: string | null;
  duration?: number | null;
  segmentsSha256?: Record<string, string> | null;
}

export interface ThumbnailValues {
  type: number;
  filename: string;
  width: number;
  height: number;
  /** false when made from an uploaded image. */
  automaticallyGenerated: boolean;
}

/** Every query on `video_file`, `video_streaming_playlist` and `thumbnail` made by the media-files module. */
@Injectable()
export class MediaFilesRepository {
  /** Every HLS playlist's P2P swarms (tracker info hashes) by video id (the tracker's start-up list). */
  async swarmsByVideo(): Promise<Array<{ videoId: number; infoHashes: string[] }>> {
    const rows = await VideoStreamingPlaylistModel.findAll({ attributes: ['videoId', 'p2pMediaLoaderInfoHashes'], raw: true });
    return rows.map((r) => ({ videoId: r.videoId, infoHashes: r.p2pMediaLoaderInfoHashes ?? [] }));
  }

  /** One video's P2P swarms (every playlist's info hashes). */
  async swarmsOfVideo(videoId: number): Promise<string[]> {
    const rows = await VideoStreamingPlaylistModel.findAll({ where: { videoId }, attributes: ['p2pMediaLoaderInfoHashes'], raw: true });
    return rows.flatMap((r) => r.p2pMediaLoaderInfoHashes ?? []);
  }

  /** Thumbnail rows of many videos at once (a list page), as plain rows. */
  thumbnailsOfVideos(videoIds: number[]): Promise<ThumbnailModel[]> {
    return ThumbnailModel.findAll({ where: { videoId: videoIds }, raw: true });
  }

  /**
   * Web-video files and HLS playlists (with their renditions) of many videos at once. Model
   * instances: a file's size getter turns pg's BIGINT string into a number. The per-segment hashes
   * stay in the database (they only serve the HLS index rewrite).
   */
  async filesOfVideos(videoIds: number[]): Promise<{ files: VideoFileModel[]; playlists: VideoStreamingPlaylistModel[] }> {
    const [files, playlists] = await Promise.all([
      VideoFileModel.findAll({ where: { videoId: videoIds }, attributes: { exclude: ['segmentsSha256'] } }),
      VideoStreamingPlaylistModel.findAll({ where: { videoId: videoIds } }),
    ]);
    if (playlists.length) {
      const renditions = await VideoFileModel.findAll({
        where: { videoStreamingPlaylistId: playlists.map((pl) => pl.id) },
        attributes: { exclude: ['segmentsSha256'] },
      });
      for (const playlist of playlists) playlist.VideoFiles = renditions.filter((f) => f.videoStreamingPlaylistId === playlist.id);
    }
    return { files, playlists };
  }

  webFilesOf(videoId: number, transaction?: Transaction): Promise<VideoFileModel[]> {
    return VideoFileModel.findAll({ where: { videoId }, transaction });
  }

  webFile(videoId: number, id: number, transaction?: Transaction): Promise<VideoFileModel | null> {
    return VideoFileModel.findOne({ where: { id, videoId }, transaction });
  }

  createWebFile(videoId: number, values: VideoFileValues, transaction?: Transaction): Promise<VideoFileModel> {
    return VideoFileModel.create({ ...values, videoId }, { transaction });
  }

  renditionsOf(playlistId: number, transaction?: Transaction, resolution?: number): Promise<VideoFileModel[]> {
    const where = resolution === undefined ? { videoStreamingPlaylistId: playlistId } : { videoStreamingPlaylistId: playlistId, resolution };
    return VideoFileModel.findAll({ where, order: [['resolution', 'DESC']], transaction });
  }

  createRendition(playlistId: number, values: VideoFileValues, transaction?: Transaction): Promise<VideoFileModel> {
    return VideoFileModel.create({ ...values, videoStreamingPlaylistId: playlistId }, { transaction });
  }

  async findOrCreateHlsPlaylist(videoId: number, transaction: Transaction): Promise<VideoStreamingPlaylistModel> {
    const existing = await VideoStreamingPlaylistModel.findOne({ where: { videoId, type: VideoStreamingPlaylistType.HLS }, transaction });
    if (existing) return existing;
    const name = randomUUID();
    return VideoStreamingPlaylistModel.create(
      { videoId, type: VideoStreamingPlaylistType.HLS, playlistFilename: `${name}-master.m3u8`, segmentsSha256Filename: `${name}-segments-sha256.json` },
      { transaction },
    );
  }

  /** The upload's row: its client file name, size and every fact of the ingest's probe. */
  async createSource(videoId: number, s: { inputFilename: string; size: number; resolution: number; probe: ProbeSummary }, transaction?: Transaction): Promise<void> {
    const { probe } = s;
    await VideoSourceModel.create(
      {
        videoId,
        inputFilename: s.inputFilename,
        size: s.size,
        resolution: s.resolution,
        width: probe.video?.width ?? null,
        height: probe.video?.height ?? null,
        fps: probe.video?.fps ?? null,
        duration: probe.duration,
        formatName: probe.formatName,
        videoCodec: probe.video?.codec ?? null,
        audioCodec: probe.audio?.codec ?? null,
        ...probeColumns(probe),
      },
      { transaction },
    );
  }

  /** The ingest's probe of a video's upload, as stored (null without a source row): no second ffprobe. */
  async storedProbe(videoId: number): Promise<ProbeSummary | null> {
    const source = await VideoSourceModel.findOne({ where: { videoId } });
    return source ? probeOfSource(source) : null;
  }

  /** A web video file by its stored name (static file routes). */
  webFileByName(filename: string): Promise<VideoFileModel | null> {
    return VideoFileModel.findOne({ where: { filename, videoStreamingPlaylistId: null } });
  }

  webFileByResolution(videoId: number, resolution: number, extname: string): Promise<VideoFileModel | null> {
    return VideoFileModel.findOne({ where: { videoId, resolution, extname } });
  }

  async renditionByResolution(videoId: number, resolution: number): Promise<VideoFileModel | null> {
    const playlist = await VideoStreamingPlaylistModel.findOne({ where: { videoId }, include: [VideoFileModel] });
    return playlist?.VideoFiles?.find((f) => f.resolution === resolution) ?? null;
  }

  /** The video a torrent belongs to (of a web video or an HLS rendition), null when no file has it. */
  async videoIdOfTorrent(torrentFilename: string): Promise<number | null> {
    const file = await VideoFileModel.findOne({ where: { torrentFilename } });
    if (!file) return null;
    if (file.videoId) return file.videoId;
    return (await VideoStreamingPlaylistModel.findByPk(file.videoStreamingPlaylistId!))?.videoId ?? null;
  }

  thumbnail(videoId: number, type: number): Promise<ThumbnailModel | null> {
    return ThumbnailModel.findOne({ where: { videoId, type } });
  }

  preview(videoId: number): Promise<ThumbnailModel | null> {
    return this.thumbnail(videoId, ThumbnailType.PREVIEW);
  }

  async createThumbnails(videoId: number, rows: ThumbnailValues[], transaction?: Transaction): Promise<void> {
    await ThumbnailModel.bulkCreate(rows.map((r) => ({ ...r, videoId })), { transaction });
  }
}
