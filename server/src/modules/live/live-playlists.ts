/** Chunk names a runner may send: `<playlist index>-<sequence>.ts`, lower case (PeerTube's validator). */
export const CHUNK_NAME = /^([a-z0-9]+)-(\d+)\.ts$/;
export const SAFE_CHUNK_NAME = /^[a-z0-9-]+\.ts$/;
export const SAFE_PLAYLIST_NAME = /^[a-z0-9-]+\.m3u8$/;

/** The stored name of a chunk: its sequence shifted by the session's offset (same width, 6 digits at least). */
export function offsetChunkName(name: string, offset: number): string {
  if (offset === 0) return name;
  const m = CHUNK_NAME.exec(name);
  if (!m) return name;
  const seq = Number(m[2]) + offset;
  return `${m[1]}-${String(seq).padStart(Math.max(6, m[2]!.length), '0')}.ts`;
}

export function chunkSequence(name: string): number | null {
  const m = CHUNK_NAME.exec(name);
  return m ? Number(m[2]) : null;
}

/**
 * A media playlist of a later job of the same session, as viewers must see it: chunk names and
 * `#EXT-X-MEDIA-SEQUENCE` shifted by `offset`, and the restart marked as a discontinuity (the new
 * encoder's timestamps start over): `#EXT-X-DISCONTINUITY` before the generation's first chunk while
 * it is in the window, `#EXT-X-DISCONTINUITY-SEQUENCE` counting the restarts that left the window.
 */
export function rewriteContinuedPlaylist(text: string, offset: number, generation: number): string {
  if (offset === 0 && generation === 0) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let firstSeq: number | null = null;
  let mediaSequenceAt = -1;
  let pendingFirst = true;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) {
      firstSeq = Number(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length));
      mediaSequenceAt = out.length;
      out.push(`#EXT-X-MEDIA-SEQUENCE:${firstSeq + offset}`);
      continue;
    }
    if (line.startsWith('#EXT-X-DISCONTINUITY-SEQUENCE:')) continue;
    if (SAFE_CHUNK_NAME.test(line.trim())) {
      const name = line.trim();
      if (pendingFirst && chunkSequence(name) === 0 && generation > 0) {
        // The first chunk of this generation is still in the window: mark the restart before it.
        let at = out.length;
        while (at > 0 && out[at - 1]!.startsWith('#') && !out[at - 1]!.startsWith('#EXT-X-MEDIA-SEQUENCE') && !out[at - 1]!.startsWith('#EXT-X-TARGETDURATION')) at--;
        out.splice(at, 0, '#EXT-X-DISCONTINUITY');
      }
      pendingFirst = false;
      out.push(offsetChunkName(name, offset));
      continue;
    }
    out.push(line);
  }
  if (generation > 0 && mediaSequenceAt >= 0) {
    const restartVisible = firstSeq === 0;
    out.splice(mediaSequenceAt + 1, 0, `#EXT-X-DISCONTINUITY-SEQUENCE:${restartVisible ? generation - 1 : generation}`);
  }
  return out.join('\n');
}
