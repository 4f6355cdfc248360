import type { Sequelize } from 'sequelize';
import { ActorImageModel, ActorModel, ServerModel } from '../modules/actors/actor.model';
import { AccountModel } from '../modules/users/account.model';
import { UserModel } from '../modules/users/user.model';
import { VideoChannelModel } from '../modules/channels/video-channel.model';
import { OAuthClientModel, OAuthTokenModel } from '../modules/auth/oauth.model';
import { initRunnerModels } from '../modules/runners/runner.model';
import { initMediaFileModels } from '../modules/media-files/media-file-models';
import { initVideoModels } from '../modules/videos/video-models';
import { initLiveModels } from '../modules/live/live.model';
import { initFederationModels } from '../modules/federation/federation-models';

/** Sets up every model and association; called once at boot. */
export function initModels(sequelize: Sequelize): void {
  for (const m of [ServerModel, ActorModel, ActorImageModel, UserModel, AccountModel, VideoChannelModel, OAuthClientModel, OAuthTokenModel]) {
    m.initModel(sequelize);
  }
  ActorModel.belongsTo(ServerModel, { foreignKey: 'serverId' });
  ActorModel.hasMany(ActorImageModel, { foreignKey: 'actorId', as: 'Images' });
  AccountModel.belongsTo(ActorModel, { foreignKey: 'actorId' });
  AccountModel.belongsTo(UserModel, { foreignKey: 'userId' });
  UserModel.hasOne(AccountModel, { foreignKey: 'userId' });
  AccountModel.hasMany(VideoChannelModel, { foreignKey: 'accountId' });
  VideoChannelModel.belongsTo(ActorModel, { foreignKey: 'actorId' });
  VideoChannelModel.belongsTo(AccountModel, { foreignKey: 'accountId' });
  OAuthTokenModel.belongsTo(UserModel, { foreignKey: 'userId' });
  OAuthTokenModel.belongsTo(OAuthClientModel, { foreignKey: 'oauthClientId' });
  initMediaFileModels(sequelize);
  initVideoModels(sequelize);
  initRunnerModels(sequelize);
  initLiveModels(sequelize);
  initFederationModels(sequelize);
  // Feature modules with their own models add one call here (e.g. initVideoModels(sequelize)).
}
