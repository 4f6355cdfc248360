import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Shows what the runner is doing: progress bars in a terminal, plain log lines otherwise. */
export interface Reporter extends Logger {
  jobStarted(jobUUID: string, label: string): void;
  jobPhase(jobUUID: string, phase: string): void;
  jobProgress(jobUUID: string, percent: number): void;
  jobEnded(jobUUID: string, outcome: string): void;
  close(): void;
}

function stamp(level: string, message: string): string {
  return `${new Date().toISOString()} ${level} ${message}`;
}

/** One line per event; progress logged at every 10 % step so logs stay readable. */
export class LogReporter implements Reporter {
  private readonly jobs = new Map<string, { label: string; lastDecile: number }>();

  constructor(private readonly out: (line: string) => void = (l) => process.stderr.write(l + '\n')) {}

  info(message: string) { this.out(stamp('info', message)); }
  warn(message: string) { this.out(stamp('warn', message)); }
  error(message: string) { this.out(stamp('error', message)); }

  jobStarted(jobUUID: string, label: string) {
    this.jobs.set(jobUUID, { label, lastDecile: -1 });
    this.info(`job ${jobUUID} started: ${label}`);
  }
  jobPhase(jobUUID: string, phase: string) {
    this.info(`job ${jobUUID} ${phase}`);
  }
  jobProgress(jobUUID: string, percent: number) {
    const job = this.jobs.get(jobUUID);
    if (!job) return;
    const decile = Math.floor(percent / 10);
    if (decile > job.lastDecile) {
      job.lastDecile = decile;
      this.info(`job ${jobUUID} ${Math.floor(percent)}%`);
    }
  }
  jobEnded(jobUUID: string, outcome: string) {
    this.jobs.delete(jobUUID);
    this.info(`job ${jobUUID} ${outcome}`);
  }
  close() {}
}

/** A bar per running job (cli-progress); log lines are printed above the bars. */
export class TtyReporter implements Reporter {
  private readonly multibar = new MultiBar(
    {
      format: ' {label} [{bar}] {percentage}% | {phase}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      barsize: 30,
    },
    Presets.shades_classic,
  );
  private readonly bars = new Map<string, SingleBar>();

  info(message: string) { this.multibar.log(stamp('info', message) + '\n'); }
  warn(message: string) { this.multibar.log(stamp('warn', message) + '\n'); }
  error(message: string) { this.multibar.log(stamp('error', message) + '\n'); }

  jobStarted(jobUUID: string, label: string) {
    this.bars.set(jobUUID, this.multibar.create(100, 0, { label: label.padEnd(32).slice(0, 32), phase: 'accepted' }));
  }
  jobPhase(jobUUID: string, phase: string) {
    this.bars.get(jobUUID)?.update({ phase });
  }
  jobProgress(jobUUID: string, percent: number) {
    this.bars.get(jobUUID)?.update(Math.floor(percent));
  }
  jobEnded(jobUUID: string, outcome: string) {
    const bar = this.bars.get(jobUUID);
    if (!bar) return;
    this.bars.delete(jobUUID);
    this.multibar.remove(bar);
    this.info(`job ${jobUUID} ${outcome}`);
  }
  close() {
    this.multibar.stop();
  }
}

export function createReporter(mode: 'auto' | 'tty' | 'log' | 'silent' = 'auto'): Reporter {
  if (mode === 'silent') return new LogReporter(() => {});
  if (mode === 'tty' || (mode === 'auto' && process.stderr.isTTY)) return new TtyReporter();
  return new LogReporter();
}
