import type { INestApplication } from '@nestjs/common';
import type { Sequelize } from 'sequelize';
import { logger } from './common/logger';
import { ActorModel } from './modules/actors/actor.model';
import { ActorsService } from './modules/actors/actors.service';
import { AuthService } from './modules/auth/auth.service';
import { AccountModel } from './modules/users/account.model';
import { UsersService } from './modules/users/users.service';

/** The instance's own actor: an Application named as PeerTube names it, so peers find it. */
export const INSTANCE_ACTOR_NAME = 'peertube';

/** What first boot creates: the local OAuth client, the instance actor, the root user. Idempotent. */
export async function firstBoot(app: INestApplication, sequelize: Sequelize): Promise<void> {
  await app.get(AuthService).ensureLocalClient();

  const existing = await ActorModel.findOne({ where: { preferredUsername: INSTANCE_ACTOR_NAME, serverId: null } });
  if (!existing) {
    await sequelize.transaction(async (t) => {
      const actor = await app.get(ActorsService).createLocal('account', 'Application', INSTANCE_ACTOR_NAME, t);
      await AccountModel.create({ actorId: actor.id, userId: null, name: INSTANCE_ACTOR_NAME }, { transaction: t });
    });
    logger.info('instance actor created');
  }

  const root = await app.get(UsersService).ensureRoot();
  if (root.created && root.generated) {
    // Printed once, on purpose, on stdout: the admin needs it to log in the first time.
    const line = '-'.repeat(64);
    process.stdout.write(
      `\n${line}\n  Flotilla created the administrator account.\n  username: root\n  password: ${root.password}\n` +
        `  (set FLOTILLA_INITIAL_ROOT_PASSWORD before the first start to choose it)\n${line}\n\n`,
    );
  }
}
