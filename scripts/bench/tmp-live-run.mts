import { join } from 'node:path';
import { REPO_ROOT, runInLoopbackNamespace } from '../../client/test/support/loopback-netns.ts';
import type { LiveP2PResult } from '../../client/test/support/live-p2p.scenario.ts';
const args = process.argv.slice(2);
const res = await runInLoopbackNamespace<LiveP2PResult>(join(REPO_ROOT, 'client/test/support/live-p2p.scenario.ts'), args, { timeoutMs: 300_000, echo: false });
const r = res.result!;
if (r.error) console.log(r.error);
const http = r.viewers.reduce((s, v) => s + v.httpBytes, 0), p2p = r.viewers.reduce((s, v) => s + v.p2pBytes, 0);
console.log(args.join(' '), 'share', ((100 * p2p) / (http + p2p)).toFixed(1), JSON.stringify(r.viewers.map((v) => ({ p2p: +((100 * v.p2pBytes) / (v.p2pBytes + v.httpBytes)).toFixed(1), behind: +(v.duration - v.currentTime).toFixed(1), first: v.firstPlayingMs && Math.round(v.firstPlayingMs), rej: v.rejected, stalls: v.stalls, stalledMs: v.stalledMs, err: v.error }))));
