import { createHash } from 'node:crypto';

/**
 * p2p-media-loader v2 announces one swarm per HLS stream: `v2-<swarmId>-<main|secondary>-<index>`,
 * with as info hash the base64 of the first 15 bytes of that string's SHA-1 (20 ASCII chars). The
 * web player uses the video's UUID as swarmId, so the tracker can recognise the swarms of videos it
 * knows without trusting anything the peer says.
 */
export function streamInfoHash(swarmId: string, type: 'main' | 'secondary', index: number): string {
  const digest = createHash('sha1').update(`v2-${swarmId}-${type}-${index}`, 'utf8').digest();
  return digest.subarray(0, 15).toString('base64');
}

/** Renditions (main streams) and audio tracks (secondary) we expect at most per video. */
export const MAX_MAIN_STREAMS = 10;
export const MAX_SECONDARY_STREAMS = 4;

export function videoInfoHashes(uuid: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < MAX_MAIN_STREAMS; i++) out.push(streamInfoHash(uuid, 'main', i));
  for (let i = 0; i < MAX_SECONDARY_STREAMS; i++) out.push(streamInfoHash(uuid, 'secondary', i));
  return out;
}

/** bittorrent-tracker hands the filter the info hash as hex of its raw bytes. */
export function infoHashFromTrackerHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}
