import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A job's private folder: inputs are downloaded into it, ffmpeg writes into `outputDir`, and the
 * whole folder goes away when the job ends, whatever the outcome.
 */
export class Workspace {
  private constructor(
    readonly root: string,
    readonly outputDir: string,
  ) {}

  static async create(parentDir: string, jobUUID: string): Promise<Workspace> {
    await mkdir(parentDir, { recursive: true });
    const root = await mkdtemp(join(parentDir, `job-${jobUUID.slice(0, 8)}-`));
    const outputDir = join(root, 'out');
    await mkdir(outputDir);
    return new Workspace(root, outputDir);
  }

  /** A path for a downloaded input. */
  inputPath(name: string): string {
    return join(this.root, name);
  }

  outputPath(name: string): string {
    return join(this.outputDir, name);
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }

  /**
   * Removes job folders a previous process left behind (killed with SIGKILL, power loss). Only the
   * folders of this runner id live here, and this id's daemon runs once.
   */
  static async sweep(parentDir: string): Promise<number> {
    let entries: string[];
    try {
      entries = await readdir(parentDir);
    } catch {
      return 0;
    }
    const stale = entries.filter((e) => e.startsWith('job-'));
    await Promise.all(stale.map((e) => rm(join(parentDir, e), { recursive: true, force: true })));
    return stale.length;
  }
}
