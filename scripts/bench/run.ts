// `npm run bench`: runs each benchmark in turn; every figure is printed beside a baseline measured
// in the same run, as a ratio. `npm run bench -- foundation` runs only the named ones.
import { commentsBench } from './comments.bench';
import { federationBench } from './federation.bench';
import { foundationBench } from './foundation.bench';
import { liveLatencyBench } from './live-latency.bench';
import { liveP2PBench } from './live-p2p.bench';
import { liveTakeoverBench } from './live-takeover.bench';
import { notificationsBench } from './notifications.bench';
import { p2pBench } from './p2p.bench';
import { printRows, type BenchRow } from './report';
import { transcodingBench } from './transcoding.bench';
import { uploadsBench } from './uploads.bench';

const benches: Record<string, { title: string; run: () => Promise<BenchRow[]> }> = {
  foundation: { title: 'Foundation: start-up, memory, API throughput', run: foundationBench },
  p2p: { title: 'P2P: share of media from peers, server bytes, start-up (3, 5 and 8 viewers)', run: p2pBench },
  uploads: { title: 'Uploads: resumable throughput, 2 GiB across interruptions, video list with 10,000 videos', run: uploadsBench },
  federation: { title: 'Federation: inbox throughput, publish on B → listed on A, fan-out to 1,000 followers on 20 hosts', run: federationBench },
  transcoding: { title: 'Transcoding: runner overhead, time to first playable rendition, 1 vs 2 runners', run: transcodingBench },
  comments: { title: 'Comments: comment-thread page with 1,000 comments on a video, beside /api/v1/config', run: commentsBench },
  notifications: { title: 'Notifications: fan-out of a new video to 10,000 local subscribers (rows, 200 sockets)', run: notificationsBench },
  'live-p2p': { title: 'Live: P2P share with 3 viewers of a default-mode live (peer bytes against all media bytes, same run)', run: liveP2PBench },
  'live-takeover': { title: 'Live: stall after the runner holding a live is SIGKILLed and another runner takes it over', run: liveTakeoverBench },
  'live-latency': { title: 'Live: glass-to-glass latency from frames carrying their capture time (Gray code), low-latency (LL-HLS) vs 2 s-segment HLS vs default mode', run: liveLatencyBench },
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(benches);
  let failed = 0;
  for (const n of names) {
    const bench = benches[n];
    if (!bench) {
      process.stderr.write(`unknown benchmark ${n} (known: ${Object.keys(benches).join(', ')})\n`);
      failed++;
      continue;
    }
    try {
      printRows(bench.title, await bench.run());
    } catch (err) {
      failed++;
      process.stdout.write(`\n## ${bench.title}\nFAILED: ${(err as Error).stack ?? err}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
