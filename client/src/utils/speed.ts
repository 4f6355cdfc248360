/** Upload speed over a sliding window, and the time left at that speed. */
export class SpeedMeter {
  private samples: Array<{ t: number; bytes: number }> = [];
  constructor(private readonly windowMs = 8000) {}

  add(totalBytes: number, t: number = Date.now()): void {
    this.samples.push({ t, bytes: totalBytes });
    while (this.samples.length > 2 && t - this.samples[0].t > this.windowMs) this.samples.shift();
  }

  /** bytes per second; 0 until two samples exist. */
  speed(): number {
    if (this.samples.length < 2) return 0;
    const a = this.samples[0];
    const b = this.samples[this.samples.length - 1];
    const dt = (b.t - a.t) / 1000;
    return dt > 0 ? Math.max(0, (b.bytes - a.bytes) / dt) : 0;
  }

  eta(remaining: number): number {
    const s = this.speed();
    return s > 0 ? remaining / s : Infinity;
  }

  reset(): void {
    this.samples = [];
  }
}
