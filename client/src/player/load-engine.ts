/**
 * The player engine's chunk (hls.js + the P2P engine), fetched once. Pages that will show a player
 * start it together with their API call, so it is parsed by the time the video's details arrive.
 */
type EngineModule = typeof import('./create-player');

let engine: Promise<EngineModule> | null = null;

export function loadPlayerEngine(): Promise<EngineModule> {
  engine ??= import('./create-player').catch((err: unknown) => {
    engine = null; // a failed fetch (network) may be tried again
    throw err;
  });
  return engine;
}
