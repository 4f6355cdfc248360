/** Byte counters shown in the P2P panel and exposed as window.flotillaPlayer.stats(). */
export interface P2PStats {
  /** Bytes received from the server (every chunk, as it arrives). */
  httpBytes: number;
  /**
   * Bytes of segments delivered by peers: whole segments that passed the hash check. A transfer
   * cut short (peer gone, timeout, the engine switching to HTTP) or refused is not delivery.
   */
  p2pBytes: number;
  uploadedBytes: number;
  peers: number;
  /** Segments from peers refused by the hash check (fetched again over HTTP), and their bytes. */
  rejectedSegments: number;
  rejectedBytes: number;
}

export class P2PStatsCollector {
  httpBytes = 0;
  p2pBytes = 0;
  uploadedBytes = 0;
  rejectedSegments = 0;
  rejectedBytes = 0;
  private readonly peerIds = new Set<string>();

  /** A chunk arrived; only server bytes count here (peer bytes count per delivered segment). */
  chunkDownloaded(bytes: number, source: 'http' | 'p2p'): void {
    if (source === 'http') this.httpBytes += bytes;
  }
  /** A segment was handed to the player; from a peer, it passed the hash check first. */
  segmentLoaded(bytes: number, source: 'http' | 'p2p'): void {
    if (source === 'p2p') this.p2pBytes += bytes;
  }
  chunkUploaded(bytes: number): void {
    this.uploadedBytes += bytes;
  }
  peerConnected(id: string): void {
    this.peerIds.add(id);
  }
  peerClosed(id: string): void {
    this.peerIds.delete(id);
  }
  /** A peer's segment failed the hash check: its bytes were wasted, never delivered. */
  segmentRejected(bytes = 0): void {
    this.rejectedSegments++;
    this.rejectedBytes += bytes;
  }
  snapshot(): P2PStats {
    return {
      httpBytes: this.httpBytes,
      p2pBytes: this.p2pBytes,
      uploadedBytes: this.uploadedBytes,
      peers: this.peerIds.size,
      rejectedSegments: this.rejectedSegments,
      rejectedBytes: this.rejectedBytes,
    };
  }
  /** Share of media bytes that came from peers, 0–1. */
  p2pRatio(): number {
    const total = this.httpBytes + this.p2pBytes;
    return total ? this.p2pBytes / total : 0;
  }
}
