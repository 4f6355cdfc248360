import { Injectable } from '@nestjs/common';
import type { ListRunnerJobsQuery, ResultList, RunnerJobAdmin } from '@flotilla/shared';
import { formatRunnerJobAdmin } from './runner-job-format';
import { RunnerJobRepository } from './runner-job.repository';

/** The admin job list: state, progress, runner, and the video (in the private payload). */
@Injectable()
export class RunnerJobsAdminService {
  constructor(private readonly repo: RunnerJobRepository) {}

  async list(q: ListRunnerJobsQuery): Promise<ResultList<RunnerJobAdmin>> {
    const { rows, count } = await this.repo.list(q);
    return { total: count, data: rows.map(formatRunnerJobAdmin) };
  }
}
