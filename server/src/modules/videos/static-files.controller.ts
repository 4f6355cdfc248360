import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode } from '@flotilla/shared';
import { notFound, forbidden } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { canManageVideo } from './video-access';
import { VideoFileModel } from '../media-files/video-file.model';
import { isSafeFilename, needsFileToken, previewFilePath, thumbnailFilePath, torrentFilePath } from '../media-files/file-paths';
import { VideoStreamingPlaylistModel } from '../media-files/video-streaming-playlist.model';
import { IMMUTABLE, StaticFilesService } from './static-files.service';

/** Playlists and segment hashes change while renditions arrive (and constantly for lives). */
const SHORT = 'public, max-age=2';
const LAZY = 'public, max-age=172800';
const TORRENT = 'public, max-age=7200';

function hlsCache(name: string, isPrivate: boolean): string {
  const mutable = name.endsWith('.m3u8') || name.endsWith('.json');
  if (isPrivate) return mutable ? 'private, no-cache' : 'private, max-age=31536000, immutable';
  return mutable ? SHORT : IMMUTABLE;
}

@Controller()
export class StaticFilesController {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly files: StaticFilesService,
  ) {}

  private async webVideoFile(name: string) {
    if (!isSafeFilename(name)) this.files.safePath(this.config.paths.webVideos, name); // throws 400
    const file = await VideoFileModel.findOne({ where: { filename: name, videoStreamingPlaylistId: null } });
    if (!file?.videoId) throw notFound('File not found');
    return { file, video: await this.files.loadVideoById(file.videoId) };
  }

  @Get('static/web-videos/private/:name')
  async privateWebVideo(
    @Param('name') name: string,
    @Query('videoFileToken') videoFileToken: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ) {
    const { video } = await this.webVideoFile(name);
    await this.files.assertPrivateFile(video, { authorization, videoFileToken });
    await this.files.send(res, this.files.webVideoPath(name), 'private, max-age=31536000, immutable');
  }

  @Get('static/web-videos/:name')
  async webVideo(@Param('name') name: string, @Res() res: Response) {
    const { video } = await this.webVideoFile(name);
    await this.files.assertPublicFile(video.uuid);
    await this.files.send(res, this.files.webVideoPath(name), IMMUTABLE);
  }

  @Get('static/streaming-playlists/hls/private/:uuid/:name')
  async privateHls(
    @Param('uuid') uuid: string,
    @Param('name') name: string,
    @Query('videoFileToken') videoFileToken: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ) {
    const path = this.files.hlsPath(this.files.assertUuid(uuid), name);
    const video = await this.files.loadVideoByUuid(uuid.toLowerCase());
    await this.files.assertPrivateFile(video, { authorization, videoFileToken });
    await this.files.send(res, path, hlsCache(name, true));
  }

  @Get('static/streaming-playlists/hls/:uuid/:name')
  async hls(@Param('uuid') uuid: string, @Param('name') name: string, @Res() res: Response) {
    const path = this.files.hlsPath(this.files.assertUuid(uuid), name);
    await this.files.assertPublicFile(uuid.toLowerCase());
    await this.files.send(res, path, hlsCache(name, false));
  }

  @Get('lazy-static/thumbnails/:name')
  async thumbnail(@Param('name') name: string, @Res() res: Response) {
    this.files.safePath(this.config.paths.thumbnails, name);
    await this.files.send(res, thumbnailFilePath(this.config, name), LAZY);
  }

  @Get('lazy-static/previews/:name')
  async preview(@Param('name') name: string, @Res() res: Response) {
    this.files.safePath(this.config.paths.previews, name);
    await this.files.send(res, previewFilePath(this.config, name), LAZY);
  }

  private async torrent(name: string, creds: { authorization?: string; videoFileToken?: string }) {
    this.files.safePath(this.config.paths.torrents, name);
    const file = await VideoFileModel.findOne({ where: { torrentFilename: name } });
    if (!file) throw notFound('File not found');
    const videoId = file.videoId ?? (await VideoStreamingPlaylistModel.findByPk(file.videoStreamingPlaylistId!))?.videoId;
    const video = await this.files.loadVideoById(videoId!);
    if (needsFileToken(video.privacy)) await this.files.assertPrivateFile(video, creds);
    return torrentFilePath(this.config, name);
  }

  @Get('lazy-static/torrents/:name')
  async lazyTorrent(
    @Param('name') name: string,
    @Query('videoFileToken') videoFileToken: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ) {
    await this.files.send(res, await this.torrent(name, { authorization, videoFileToken }), TORRENT);
  }

  @Get('download/torrents/:name')
  async downloadTorrent(
    @Param('name') name: string,
    @Query('videoFileToken') videoFileToken: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ) {
    await this.files.send(res, await this.torrent(name, { authorization, videoFileToken }), TORRENT, { download: name });
  }

  /** `/download/videos/<uuid>-<resolution>.<ext>`: the web video file as an attachment named after the video. */
  @Get('download/videos/:name')
  async downloadVideo(
    @Param('name') name: string,
    @Query('videoFileToken') videoFileToken: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ) {
    const m = /^([0-9a-f-]{36})-(\d{1,5})(\.[a-z0-9]{1,8})$/i.exec(name);
    if (!m) throw notFound('File not found');
    const video = await this.files.loadVideoByUuid(this.files.assertUuid(m[1]));
    const file = await VideoFileModel.findOne({ where: { videoId: video.id, resolution: Number(m[2]), extname: m[3].toLowerCase() } });
    if (!file) throw notFound('File not found');
    await this.checkDownload(video, { authorization, videoFileToken });
    const label = video.name.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 100);
    await this.files.send(res, this.files.webVideoPath(file.filename), 'private, max-age=0', { download: `${label}-${file.resolution}p${file.extname}` });
  }

  /** `/download/streaming-playlists/hls/videos/<uuid>-<resolution>-fragmented.mp4`. */
  @Get('download/streaming-playlists/hls/videos/:name')
  async downloadHls(
    @Param('name') name: string,
    @Query('videoFileToken') videoFileToken: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ) {
    const m = /^([0-9a-f-]{36})-(\d{1,5})-fragmented(\.mp4)$/i.exec(name);
    if (!m) throw notFound('File not found');
    const video = await this.files.loadVideoByUuid(this.files.assertUuid(m[1]));
    const playlist = await VideoStreamingPlaylistModel.findOne({ where: { videoId: video.id }, include: [VideoFileModel] });
    const file = playlist?.VideoFiles?.find((f) => f.resolution === Number(m[2]));
    if (!file) throw notFound('File not found');
    await this.checkDownload(video, { authorization, videoFileToken });
    const label = video.name.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 100);
    await this.files.send(res, this.files.hlsPath(video.uuid, file.filename), 'private, max-age=0', { download: `${label}-${file.resolution}p.mp4` });
  }

  /** Downloads follow the video's visibility; owners and moderators may download even when it is disabled. */
  private async checkDownload(video: Awaited<ReturnType<StaticFilesService['loadVideoByUuid']>>, creds: { authorization?: string; videoFileToken?: string }) {
    if (needsFileToken(video.privacy)) await this.files.assertPrivateFile(video, creds);
    else await this.files.assertPublicFile(video.uuid);
    if (!video.downloadEnabled) {
      const user = await this.files.userFromCredentials(video, creds);
      if (!canManageVideo(video, user ?? undefined)) throw forbidden('Downloads are disabled for this video', ErrorCode.FORBIDDEN);
    }
  }
}
