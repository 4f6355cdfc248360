import { DataTypes, Model, type Sequelize } from 'sequelize';

export const ThumbnailType = { MINIATURE: 1, PREVIEW: 2 } as const;

/** A video's miniature (lists) or preview (player poster); files in paths.thumbnails / paths.previews. */
export class ThumbnailModel extends Model {
  declare id: number;
  declare videoId: number;
  declare type: number;
  declare filename: string;
  declare width: number;
  declare height: number;
  /** false: made from an image the owner uploaded; true: a frame or placeholder; null: made before this was kept. */
  declare automaticallyGenerated: boolean | null;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    ThumbnailModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        videoId: { type: DataTypes.INTEGER, allowNull: false },
        type: { type: DataTypes.SMALLINT, allowNull: false },
        filename: { type: DataTypes.STRING(255), allowNull: false },
        width: { type: DataTypes.INTEGER, allowNull: false },
        height: { type: DataTypes.INTEGER, allowNull: false },
        automaticallyGenerated: { type: DataTypes.BOOLEAN },
      },
      { sequelize, tableName: 'thumbnail', modelName: 'Thumbnail' },
    );
  }
}
