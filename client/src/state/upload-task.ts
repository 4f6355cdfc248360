/**
 * One upload in the browser: wraps the resumable engine with progress, speed, time left, retries,
 * cancel, and the localStorage memory that lets a reload resume it.
 */
import { reactive } from 'vue';
import { ApiError } from '../api/http';
import type { VideoCreateResult, VideoUploadMetadata } from '../api/types';
import { cancelResumableUpload, queryUploadOffset, uploadResumable, UploadSessionExpiredError } from '../api/uploads';
import { errorMessage } from '../utils/errors';
import { SpeedMeter } from '../utils/speed';
import { forgetUpload, rememberUpload } from '../utils/upload-memory';
import { api } from './api';
import { serverConfig } from './server-config';

export type UploadPhase = 'idle' | 'uploading' | 'retrying' | 'error' | 'done' | 'cancelled';

export function createUploadTask(file: File) {
  const meter = new SpeedMeter();
  let controller: AbortController | null = null;
  const state = reactive({
    phase: 'idle' as UploadPhase,
    uploaded: 0,
    total: file.size,
    speed: 0,
    eta: Infinity,
    error: '' as string,
    retryInSec: 0,
    uploadPath: null as string | null,
    result: null as VideoCreateResult | null,
  });
  const identity = { name: file.name, size: file.size, lastModified: file.lastModified };

  async function start(metadata: VideoUploadMetadata, resumePath?: string | null): Promise<VideoCreateResult | null> {
    controller = new AbortController();
    state.phase = 'uploading';
    state.error = '';
    if (resumePath) state.uploadPath = resumePath;
    meter.reset();
    try {
      const result = await uploadResumable(api, file, metadata, {
        uploadPath: state.uploadPath ?? undefined,
        filename: file.name,
        mimeType: file.type || 'video/mp4',
        maxChunkSize: serverConfig.value?.client?.videos?.resumableUpload?.maxChunkSize,
        signal: controller.signal,
        onSession: (path) => {
          state.uploadPath = path;
          rememberUpload({ ...identity, uploadPath: path, videoName: metadata.name });
        },
        onProgress: ({ uploaded }) => {
          state.phase = 'uploading';
          state.uploaded = uploaded;
          meter.add(uploaded);
          state.speed = meter.speed();
          state.eta = meter.eta(state.total - uploaded);
        },
        onRetry: ({ delayMs }) => {
          state.phase = 'retrying';
          state.retryInSec = Math.ceil(delayMs / 1000);
          const tick = setInterval(() => {
            state.retryInSec = Math.max(0, state.retryInSec - 1);
            if (state.retryInSec === 0 || state.phase !== 'retrying') clearInterval(tick);
          }, 1000);
        },
      });
      state.result = result;
      state.uploaded = state.total;
      state.phase = 'done';
      forgetUpload(identity);
      return result;
    } catch (err) {
      if (controller.signal.aborted) {
        state.phase = 'cancelled';
        return null;
      }
      if (err instanceof UploadSessionExpiredError) {
        // The server forgot this upload: the next attempt starts a fresh one.
        forgetUpload(identity);
        state.uploadPath = null;
        state.uploaded = 0;
        state.error = 'The server no longer knows this upload (it expired). Retry to start it again.';
      } else {
        state.error = errorMessage(err, 'The upload was refused');
      }
      state.phase = 'error';
      return null;
    }
  }

  async function cancel(): Promise<void> {
    controller?.abort();
    state.phase = 'cancelled';
    forgetUpload(identity);
    if (state.uploadPath) await cancelResumableUpload(api, state.uploadPath).catch(() => undefined);
  }

  /** How much of a remembered session the server holds (null when it is gone). */
  async function probe(path: string): Promise<number | null> {
    try {
      const r = await queryUploadOffset(api, path, file.size);
      return r.done ? file.size : r.offset;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) forgetUpload(identity);
      return null;
    }
  }

  return { state, start, cancel, probe, file };
}

export type UploadTask = ReturnType<typeof createUploadTask>;
