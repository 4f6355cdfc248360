import 'reflect-metadata';
import { QueryTypes } from 'sequelize';
import { randomToken } from '../common/crypto';
import { ConfigError, loadConfig } from '../config/config';
import { createSequelize } from '../db/database';
import { hashPassword } from '../modules/auth/auth.service';

/**
 * `npm run reset-password -- <username>` (e.g. root): gives the user a new password and logs every
 * session of theirs out. The password is FLOTILLA_NEW_PASSWORD when set (6 to 255 characters),
 * otherwise generated and printed once.
 */
async function main(): Promise<void> {
  const username = process.argv[2];
  if (!username || process.argv.length > 3) {
    process.stderr.write('usage: npm run reset-password -- <username>   (FLOTILLA_NEW_PASSWORD=... to choose the password)\n');
    process.exit(64); // EX_USAGE
  }
  const chosen = process.env.FLOTILLA_NEW_PASSWORD;
  if (chosen !== undefined && (chosen.length < 6 || chosen.length > 255)) {
    process.stderr.write('FLOTILLA_NEW_PASSWORD must hold 6 to 255 characters\n');
    process.exit(64);
  }
  const password = chosen ?? randomToken(12);
  const config = loadConfig();
  const sequelize = createSequelize(config);
  try {
    const users = await sequelize.query<{ id: number; username: string }>('SELECT id, username FROM "user" WHERE lower(username) = lower(:username)', {
      replacements: { username },
      type: QueryTypes.SELECT,
    });
    if (!users.length) {
      process.stderr.write(`no user named ${username} in database ${config.database.name}\n`);
      process.exit(1);
    }
    const hash = await hashPassword(password);
    await sequelize.transaction(async (transaction) => {
      await sequelize.query('UPDATE "user" SET password = :hash, updated_at = now() WHERE id = :id', { replacements: { hash, id: users[0].id }, transaction });
      await sequelize.query('DELETE FROM oauth_token WHERE user_id = :id', { replacements: { id: users[0].id }, transaction });
    });
    process.stdout.write(
      chosen !== undefined
        ? `password of ${users[0].username} changed; their sessions are logged out\n`
        : `new password of ${users[0].username}: ${password}\n(their sessions are logged out)\n`,
    );
  } finally {
    await sequelize.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? '' : 'reset-password failed: '}${(err as Error).message}\n`);
  process.exit(err instanceof ConfigError ? 78 : 1);
});
