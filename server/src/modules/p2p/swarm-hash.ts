/** bittorrent-tracker hands the filter the info hash as hex of its raw bytes (20 ASCII characters here). */
export function infoHashFromTrackerHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}
