import type { MigrationContext } from '../migrator';

/**
 * The rest of the upload's probe on `video_source`, so the transcoding planner decides from the
 * stored facts instead of probing the file again. NULL for sources stored before.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`ALTER TABLE video_source
    ADD COLUMN bitrate INTEGER,
    ADD COLUMN video_profile VARCHAR(50),
    ADD COLUMN video_level INTEGER,
    ADD COLUMN pixel_format VARCHAR(50),
    ADD COLUMN rotation INTEGER,
    ADD COLUMN video_bitrate INTEGER,
    ADD COLUMN audio_profile VARCHAR(50),
    ADD COLUMN audio_channels INTEGER,
    ADD COLUMN audio_channel_layout VARCHAR(100),
    ADD COLUMN audio_bitrate INTEGER`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`ALTER TABLE video_source
    DROP COLUMN bitrate, DROP COLUMN video_profile, DROP COLUMN video_level, DROP COLUMN pixel_format, DROP COLUMN rotation,
    DROP COLUMN video_bitrate, DROP COLUMN audio_profile, DROP COLUMN audio_channels, DROP COLUMN audio_channel_layout, DROP COLUMN audio_bitrate`);
}
