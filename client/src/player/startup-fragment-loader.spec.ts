import type { FragmentLoaderContext, HlsConfig, LoaderCallbacks, LoaderConfiguration, LoaderStats } from 'hls.js';
import { describe, expect, it } from 'vitest';
import { firstFragmentOverHttp, type FragmentLoaderClass } from './startup-fragment-loader';

/** Records which loader served which fragment; answers at once with `bytes` bytes. */
function recorder(kind: string, log: string[], bytes = 10) {
  return class {
    context: unknown = null;
    stats = { loaded: 0 } as unknown as LoaderStats;
    load(ctx: FragmentLoaderContext, _c: LoaderConfiguration, cb: LoaderCallbacks<FragmentLoaderContext>) {
      log.push(`${kind}:${ctx.frag.sn}`);
      cb.onSuccess({ url: ctx.url, data: new ArrayBuffer(bytes) }, this.stats, ctx, null);
    }
    abort() {
      log.push(`${kind}:abort`);
    }
    destroy() {}
  };
}

const ctx = (sn: number | 'initSegment') => ({ url: `http://x/seg-${sn}`, frag: { sn } }) as unknown as FragmentLoaderContext;
/** The start gate already open (playback started), and a way to let its `then` run. */
const open = () => Promise.resolve();
const flush = () => new Promise((r) => setTimeout(r, 0));

const noop = { onSuccess: () => undefined, onError: () => undefined, onTimeout: () => undefined } as unknown as LoaderCallbacks<FragmentLoaderContext>;

describe('firstFragmentOverHttp', () => {
  it('sends the first media fragment over plain HTTP, the init segment and every later fragment to the engine', async () => {
    const log: string[] = [];
    let httpBytes = 0;
    const config = { loader: recorder('http', log, 1234) } as unknown as HlsConfig;
    const Loader = firstFragmentOverHttp(recorder('p2p', log) as unknown as FragmentLoaderClass, { onHttpBytes: (b) => (httpBytes += b), startGate: open });
    for (const sn of ['initSegment', 0, 1, 2] as const) new Loader(config).load(ctx(sn), {} as LoaderConfiguration, noop);
    await flush();
    expect(log).toEqual(['p2p:initSegment', 'http:0', 'p2p:1', 'p2p:2']);
    expect(httpBytes).toBe(1234);
  });

  it('shares one stats object with hls.js before and after load, and aborts the loader in use', async () => {
    const log: string[] = [];
    const config = { loader: recorder('http', log) } as unknown as HlsConfig;
    const Loader = firstFragmentOverHttp(recorder('p2p', log) as unknown as FragmentLoaderClass, { onHttpBytes: () => undefined, startGate: open });
    const first = new Loader(config);
    const stats = first.stats;
    first.load(ctx(0), {} as LoaderConfiguration, noop);
    expect(first.stats).toBe(stats);
    first.abort();
    const second = new Loader(config);
    second.load(ctx(1), {} as LoaderConfiguration, noop);
    await flush();
    second.abort();
    expect(log).toEqual(['http:0', 'http:abort', 'p2p:1', 'p2p:abort']);
  });

  it('counts the "first" per player: a second player starts over HTTP too', async () => {
    const log: string[] = [];
    const config = { loader: recorder('http', log) } as unknown as HlsConfig;
    for (let i = 0; i < 2; i++) {
      const Loader = firstFragmentOverHttp(recorder('p2p', log) as unknown as FragmentLoaderClass, { onHttpBytes: () => undefined, startGate: open });
      new Loader(config).load(ctx(0), {} as LoaderConfiguration, noop);
      new Loader(config).load(ctx(1), {} as LoaderConfiguration, noop);
      await flush();
    }
    expect(log).toEqual(['http:0', 'p2p:1', 'http:0', 'p2p:1']);
  });

  it('holds later fragments until the start gate opens, and an abort while waiting reports onAbort', async () => {
    const log: string[] = [];
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const config = { loader: recorder('http', log) } as unknown as HlsConfig;
    const Loader = firstFragmentOverHttp(recorder('p2p', log) as unknown as FragmentLoaderClass, { onHttpBytes: () => undefined, startGate: () => gate });
    new Loader(config).load(ctx(0), {} as LoaderConfiguration, noop);
    new Loader(config).load(ctx(1), {} as LoaderConfiguration, noop);
    const aborted: string[] = [];
    const third = new Loader(config);
    third.load(ctx(2), {} as LoaderConfiguration, { ...noop, onAbort: () => aborted.push('2') } as LoaderCallbacks<FragmentLoaderContext>);
    third.abort();
    await Promise.resolve();
    expect(log).toEqual(['http:0']);
    openGate();
    await gate;
    await Promise.resolve();
    expect(log).toEqual(['http:0', 'p2p:1']);
    expect(aborted).toEqual(['2']);
    expect(third.stats.aborted).toBe(true);
  });
});
