import { DataTypes, Model, type Sequelize } from 'sequelize';

/**
 * A resumable upload in progress. The bytes are in `uploadPartPath(config, id)`; how many arrived is
 * the size of that file (the only truth that survives a crash), not a column.
 */
export class UploadSessionModel extends Model {
  declare id: string;
  declare userId: number;
  declare channelId: number;
  declare filename: string;
  declare mimeType: string | null;
  declare size: number;
  declare metadata: Record<string, unknown>;
  declare thumbnailPath: string | null;
  declare previewPath: string | null;
  /** Set once the upload is complete and the video created (a repeated final PUT answers it again). */
  declare videoId: number | null;
  declare expiresAt: Date;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    UploadSessionModel.init(
      {
        id: { type: DataTypes.STRING(64), primaryKey: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        channelId: { type: DataTypes.INTEGER, allowNull: false },
        filename: { type: DataTypes.STRING(1000), allowNull: false },
        mimeType: { type: DataTypes.STRING(255) },
        size: {
          type: DataTypes.BIGINT,
          allowNull: false,
          get(this: UploadSessionModel) {
            return Number(this.getDataValue('size'));
          },
        },
        metadata: { type: DataTypes.JSONB, allowNull: false },
        thumbnailPath: { type: DataTypes.STRING(2000) },
        previewPath: { type: DataTypes.STRING(2000) },
        videoId: { type: DataTypes.INTEGER },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'upload_session', modelName: 'UploadSession' },
    );
  }
}
