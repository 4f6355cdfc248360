import {
  ErrorCode,
  VIDEO_CATEGORIES,
  VIDEO_LANGUAGES,
  VIDEO_LICENCES,
  VideoCommentPolicy,
  VideoPrivacy,
  type VideoCreate,
  type VideoUpdate,
} from '@flotilla/shared';
import { AppError } from '../../common/app-error';

const invalid = (param: string, msg: string, value: unknown) =>
  new AppError(400, ErrorCode.INVALID_PARAMS, `Invalid ${param}: ${msg}`, {
    invalidParams: { [param]: { location: 'body', msg, param, value } },
  });

/** Checks what zod cannot: values against PeerTube's constant lists; password-protected is not supported yet. */
export function checkVideoAttributes(a: VideoUpdate | VideoCreate): void {
  if (a.privacy === VideoPrivacy.PASSWORD_PROTECTED) {
    throw new AppError(400, ErrorCode.VIDEO_PRIVACY_NOT_SUPPORTED, 'Password-protected videos are not supported by this server yet');
  }
  if (a.category !== undefined && !VIDEO_CATEGORIES[a.category]) throw invalid('category', 'unknown category', a.category);
  if (a.licence !== undefined && !VIDEO_LICENCES[a.licence]) throw invalid('licence', 'unknown licence', a.licence);
  if (a.language !== undefined && !VIDEO_LANGUAGES[a.language]) throw invalid('language', 'unknown language', a.language);
}

/** Columns set from request attributes; only the given ones (updates are partial). */
export function attributeColumns(a: VideoUpdate | VideoCreate): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (a.name !== undefined) c.name = a.name;
  if (a.privacy !== undefined) c.privacy = a.privacy;
  if (a.category !== undefined) c.category = a.category;
  if (a.licence !== undefined) c.licence = a.licence;
  if (a.language !== undefined) c.language = a.language;
  if (a.description !== undefined) c.description = a.description;
  if (a.support !== undefined) c.support = a.support;
  if (a.nsfw !== undefined) c.nsfw = a.nsfw;
  if (a.waitTranscoding !== undefined) c.waitTranscoding = a.waitTranscoding;
  if (a.downloadEnabled !== undefined) c.downloadEnabled = a.downloadEnabled;
  if (a.commentsPolicy !== undefined) c.commentsPolicy = a.commentsPolicy;
  else if (a.commentsEnabled !== undefined) c.commentsPolicy = a.commentsEnabled ? VideoCommentPolicy.ENABLED : VideoCommentPolicy.DISABLED;
  if (a.tags !== undefined) c.tags = [...new Set(a.tags)];
  if (a.originallyPublishedAt !== undefined) c.originallyPublishedAt = a.originallyPublishedAt ? new Date(a.originallyPublishedAt) : null;
  return c;
}
