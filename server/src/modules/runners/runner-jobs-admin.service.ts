import { Injectable } from '@nestjs/common';
import { Op, type WhereOptions } from 'sequelize';
import type { ResultList, RunnerJobAdmin } from '@flotilla/shared';
import { formatRunnerJobAdmin } from './runner-job-format';
import { RunnerJobModel, RunnerModel } from './runner.model';
import { sortOrder } from './runners.service';

export interface ListRunnerJobsQuery {
  start: number;
  count: number;
  sort?: string;
  search?: string;
  stateOneOf?: number[];
  typeOneOf?: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The admin job list: state, progress, runner, and the video (in the private payload). */
@Injectable()
export class RunnerJobsAdminService {
  async list(q: ListRunnerJobsQuery): Promise<ResultList<RunnerJobAdmin>> {
    const and: WhereOptions[] = [];
    if (q.stateOneOf?.length) and.push({ state: q.stateOneOf });
    if (q.typeOneOf?.length) and.push({ type: q.typeOneOf });
    if (q.search) {
      const like = `%${q.search.replace(/[\\%_]/g, '\\$&')}%`;
      and.push(
        UUID.test(q.search)
          ? { [Op.or]: [{ uuid: q.search }, { videoUuid: q.search }] }
          : { [Op.or]: [{ type: { [Op.iLike]: like } }, { '$Runner.name$': { [Op.iLike]: like } }] },
      );
    }
    const { rows, count } = await RunnerJobModel.findAndCountAll({
      where: and.length ? { [Op.and]: and } : {},
      include: [
        { model: RunnerModel, required: false },
        { model: RunnerJobModel, as: 'Parent', required: false },
      ],
      offset: q.start,
      limit: q.count,
      order: sortOrder(q.sort, ['updatedAt', 'createdAt', 'priority', 'state', 'progress'], '-updatedAt'),
      subQuery: false,
      distinct: true,
    });
    return { total: count, data: rows.map(formatRunnerJobAdmin) };
  }
}
