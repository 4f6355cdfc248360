// The swarm derivation is shared with the server's tracker, which admits only these swarms.
export { parseAttributes, streamShortIdFromAttributes, swarmInfoHashesFromMaster } from '@flotilla/shared';
