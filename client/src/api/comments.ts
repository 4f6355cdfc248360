import type { CommentThreadsQuery, VideoComment, VideoCommentThreads, VideoCommentThreadTree } from '@flotilla/shared';
import type { ApiClient } from './http';

const base = (videoId: number | string) => `/api/v1/videos/${encodeURIComponent(String(videoId))}`;

export function listCommentThreads(api: ApiClient, videoId: number | string, query: Partial<CommentThreadsQuery> = {}): Promise<VideoCommentThreads> {
  return api.get<VideoCommentThreads>(`${base(videoId)}/comment-threads`, { ...query });
}

export function getCommentThread(api: ApiClient, videoId: number | string, threadId: number): Promise<VideoCommentThreadTree> {
  return api.get<VideoCommentThreadTree>(`${base(videoId)}/comment-threads/${threadId}`);
}

export async function addCommentThread(api: ApiClient, videoId: number | string, text: string): Promise<VideoComment> {
  return (await api.request<{ comment: VideoComment }>('POST', `${base(videoId)}/comment-threads`, { json: { text } })).comment;
}

export async function addCommentReply(api: ApiClient, videoId: number | string, commentId: number, text: string): Promise<VideoComment> {
  return (await api.request<{ comment: VideoComment }>('POST', `${base(videoId)}/comments/${commentId}`, { json: { text } })).comment;
}

export async function deleteComment(api: ApiClient, videoId: number | string, commentId: number): Promise<void> {
  await api.request('DELETE', `${base(videoId)}/comments/${commentId}`);
}

export async function approveComment(api: ApiClient, videoId: number | string, commentId: number): Promise<void> {
  await api.request('POST', `${base(videoId)}/comments/${commentId}/approve`);
}
