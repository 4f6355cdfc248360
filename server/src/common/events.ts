import { EventEmitter } from 'node:events';

/**
 * In-process domain events between feature modules, so that dependencies keep flowing one way
 * (videos does not import transcoding; transcoding listens). Handlers must not throw: they log.
 */
export interface DomainEvents {
  /** A local video's original file is stored and probed; transcoding decides what to make. */
  'video.uploaded': { videoId: number };
  /** A video and its files are being removed; pending work for it must stop. */
  'video.deleted': { videoId: number; uuid: string };
  /** A video became watchable (first rendition in, or published without transcoding). */
  'video.published': { videoId: number };
  /** A video's master playlist changed: these are the P2P swarms (tracker info hashes) of its viewers. */
  'video.swarms-changed': { uuid: string; infoHashes: string[] };
  /** A video's privacy changed: its files' URL prefix and whether its swarms are public follow. */
  'video.privacy-changed': { uuid: string; privacy: number };
}

class TypedEmitter {
  private readonly emitter = new EventEmitter();
  on<K extends keyof DomainEvents>(event: K, handler: (payload: DomainEvents[K]) => void | Promise<void>): void {
    this.emitter.on(event, (payload: DomainEvents[K]) => {
      void Promise.resolve()
        .then(() => handler(payload))
        .catch((err) => this.emitter.emit('error', err));
    });
  }
  emit<K extends keyof DomainEvents>(event: K, payload: DomainEvents[K]): void {
    this.emitter.emit(event, payload);
  }
  onError(handler: (err: unknown) => void): void {
    this.emitter.on('error', handler);
  }
}

export const domainEvents = new TypedEmitter();
