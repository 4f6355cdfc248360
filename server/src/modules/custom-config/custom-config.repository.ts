import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CustomConfigUpdate } from '@flotilla/shared';
import { SEQUELIZE } from '../../common/tokens';

/** Every query on `custom_config` (one row, id 1: the settings an administrator saved). */
@Injectable()
export class CustomConfigRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  async read(): Promise<{ value: CustomConfigUpdate; updatedAt: Date } | null> {
    const rows = await this.sequelize.query<{ value: CustomConfigUpdate; updated_at: Date }>('SELECT value, updated_at FROM custom_config WHERE id = 1', {
      type: QueryTypes.SELECT,
    });
    return rows[0] ? { value: rows[0].value, updatedAt: rows[0].updated_at } : null;
  }

  /** One statement: the row holds the whole new value or the old one, never half of it. */
  async write(value: CustomConfigUpdate): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO custom_config (id, value, updated_at) VALUES (1, :value::jsonb, now())
       ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      { replacements: { value: JSON.stringify(value) } },
    );
  }

  async remove(): Promise<void> {
    await this.sequelize.query('DELETE FROM custom_config WHERE id = 1');
  }
}
