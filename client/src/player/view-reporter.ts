/**
 * Reports watching to POST /videos/:id/views: once when playback starts, then every `intervalMs`
 * while playing, and right after a seek (viewEvent "seek"). Framework-free so embed and watch page share it.
 */
export interface ViewReport {
  currentTime: number;
  viewEvent?: 'seek';
}

export class ViewReporter {
  private lastSent = -Infinity;
  private stopped = false;

  constructor(
    private readonly send: (r: ViewReport) => Promise<void>,
    private readonly intervalMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  onProgress(currentTime: number, playing: boolean): void {
    if (this.stopped || !playing) return;
    if (this.now() - this.lastSent >= this.intervalMs) this.emit({ currentTime });
  }

  onSeek(currentTime: number): void {
    if (this.stopped || this.lastSent === -Infinity) return;
    this.emit({ currentTime, viewEvent: 'seek' });
  }

  stop(): void {
    this.stopped = true;
  }

  private emit(r: ViewReport): void {
    this.lastSent = this.now();
    // A lost view report is not worth bothering the viewer about.
    this.send({ ...r, currentTime: Math.floor(r.currentTime) }).catch(() => undefined);
  }
}
