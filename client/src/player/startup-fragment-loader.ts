/**
 * Fast start with P2P: the first media fragment a player asks for goes straight over HTTP (hls.js's
 * own loader), every later one through the P2P engine. The engine is created on its first
 * request, so peers are found while that first fragment plays, and the initial HTTP hold
 * (`httpDownloadInitialTimeoutMs`) then delays the second fragment, not the picture.
 */
import type { FragmentLoaderContext, HlsConfig, Loader, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoaderStats } from 'hls.js';

export type FragmentLoaderClass = new (config: HlsConfig) => Loader<FragmentLoaderContext>;

export interface StartupLoaderHooks {
  /** Bytes of the fragment fetched directly (the engine does not see them). */
  onHttpBytes(bytes: number): void;
  /**
   * Later fragments wait for this (playback started, or a short time passed): the engine and its
   * peer connections then do not compete with the first frame for the CPU.
   */
  startGate(): Promise<void>;
}

/** Wraps the engine's fragment loader class; one wrapper per player (the "first" is per player). */
export function firstFragmentOverHttp(P2PFragmentLoader: FragmentLoaderClass, hooks: StartupLoaderHooks): FragmentLoaderClass {
  let firstTaken = false;
  return class StartupFragmentLoader implements Loader<FragmentLoaderContext> {
    context: FragmentLoaderContext | null = null;
    /** hls.js reads stats before load(): share the engine loader's object, hand it to the direct one. */
    stats: LoaderStats;
    private readonly p2p: Loader<FragmentLoaderContext>;
    private direct: Loader<LoaderContext> | null = null;
    /** Callbacks of a fragment waiting at the start gate (null once it went on, or was aborted). */
    private waiting: LoaderCallbacks<FragmentLoaderContext> | null = null;

    constructor(private readonly config: HlsConfig) {
      this.p2p = new P2PFragmentLoader(config);
      this.stats = this.p2p.stats;
    }

    load(context: FragmentLoaderContext, loaderConfig: LoaderConfiguration, callbacks: LoaderCallbacks<FragmentLoaderContext>): void {
      this.context = context;
      if (context.frag.sn === 'initSegment') {
        this.p2p.load(context, loaderConfig, callbacks);
        return;
      }
      if (firstTaken) {
        this.waiting = callbacks;
        void hooks.startGate().then(() => {
          if (this.waiting !== callbacks) return; // aborted or destroyed meanwhile
          this.waiting = null;
          this.p2p.load(context, loaderConfig, callbacks);
        });
        return;
      }
      firstTaken = true;
      const direct = new this.config.loader(this.config) as Loader<LoaderContext>;
      direct.stats = this.stats;
      this.direct = direct;
      direct.load(context, loaderConfig, {
        ...(callbacks as unknown as LoaderCallbacks<LoaderContext>),
        onSuccess: (response, stats, ctx, details) => {
          const data = response.data;
          hooks.onHttpBytes(data instanceof ArrayBuffer ? data.byteLength : typeof data === 'string' ? data.length : 0);
          callbacks.onSuccess(response, stats, ctx as FragmentLoaderContext, details);
        },
      });
    }

    abort(): void {
      const waiting = this.waiting;
      if (waiting) {
        this.waiting = null;
        this.stats.aborted = true;
        waiting.onAbort?.(this.stats, this.context!, null);
      } else if (this.direct) this.direct.abort();
      else this.p2p.abort();
    }

    destroy(): void {
      this.waiting = null;
      this.direct?.destroy();
      this.p2p.destroy();
      this.direct = null;
    }

    getCacheAge(): number | null {
      return this.direct?.getCacheAge?.() ?? null;
    }

    getResponseHeader(name: string): string | null {
      return this.direct?.getResponseHeader?.(name) ?? null;
    }
  };
}
