import { Injectable } from '@nestjs/common';
import { Op, type Order } from 'sequelize';
import { RunnerModel, RunnerRegistrationTokenModel } from './runner.model';

export interface NewRunnerRow {
  runnerToken: string;
  name: string;
  description: string | null;
  version: string | null;
  ip: string;
  runnerRegistrationTokenId: number;
}

interface Page {
  offset: number;
  limit: number;
  order: Order;
}

/** Every query on `runner` and `runner_registration_token`. */
@Injectable()
export class RunnerRepository {
  createRegistrationToken(registrationToken: string): Promise<RunnerRegistrationTokenModel> {
    return RunnerRegistrationTokenModel.create({ registrationToken });
  }

  findRegistrationToken(registrationToken: string): Promise<RunnerRegistrationTokenModel | null> {
    return RunnerRegistrationTokenModel.findOne({ where: { registrationToken } });
  }

  findRegistrationTokenById(id: number): Promise<RunnerRegistrationTokenModel | null> {
    return RunnerRegistrationTokenModel.findByPk(id);
  }

  listRegistrationTokens(page: Page): Promise<{ rows: RunnerRegistrationTokenModel[]; count: number }> {
    return RunnerRegistrationTokenModel.findAndCountAll(page);
  }

  /** Runners registered with each of these tokens. */
  async countRunnersByToken(tokenIds: number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    if (!tokenIds.length) return counts;
    const grouped = (await RunnerModel.count({
      where: { runnerRegistrationTokenId: tokenIds },
      group: ['runnerRegistrationTokenId'],
    })) as unknown as { runnerRegistrationTokenId: number; count: number }[];
    for (const g of grouped) counts.set(g.runnerRegistrationTokenId, Number(g.count));
    return counts;
  }

  /** Removes the token and, by cascade, its runners. False when there was none. */
  async deleteRegistrationToken(id: number): Promise<boolean> {
    return (await RunnerRegistrationTokenModel.destroy({ where: { id } })) > 0;
  }

  /** Throws sequelize's UniqueConstraintError when the name is taken. */
  create(row: NewRunnerRow): Promise<RunnerModel> {
    return RunnerModel.create({ ...row, lastContact: new Date() });
  }

  /** With its registration token, which tells the embedded runner apart. */
  findByToken(runnerToken: string): Promise<RunnerModel | null> {
    return RunnerModel.findOne({ where: { runnerToken }, include: [{ model: RunnerRegistrationTokenModel, attributes: ['id', 'registrationToken'] }] });
  }

  findByName(name: string): Promise<RunnerModel | null> {
    return RunnerModel.findOne({ where: { name } });
  }

  /** The runner registered with a token starting with `prefix` (the server's own runners), oldest first. */
  findByRegistrationTokenPrefix(prefix: string): Promise<RunnerModel | null> {
    return RunnerModel.findOne({
      include: [{ model: RunnerRegistrationTokenModel, attributes: ['id', 'registrationToken'], where: { registrationToken: { [Op.startsWith]: prefix } }, required: true }],
      order: [['id', 'ASC']],
    });
  }

  async touch(id: number, ip: string, version: string | undefined): Promise<void> {
    await RunnerModel.update({ lastContact: new Date(), ip, ...(version !== undefined ? { version } : {}) }, { where: { id } });
  }

  findById(id: number): Promise<RunnerModel | null> {
    return RunnerModel.findByPk(id);
  }

  /** Every runner's id and name (a server has a handful). */
  async all(): Promise<{ id: number; name: string; lastContact: Date; runnerRegistrationTokenId: number }[]> {
    return RunnerModel.findAll({ attributes: ['id', 'name', 'lastContact', 'runnerRegistrationTokenId'], raw: true });
  }

  list(page: Page): Promise<{ rows: RunnerModel[]; count: number }> {
    return RunnerModel.findAndCountAll(page);
  }

  async delete(id: number): Promise<boolean> {
    return (await RunnerModel.destroy({ where: { id } })) > 0;
  }
}
