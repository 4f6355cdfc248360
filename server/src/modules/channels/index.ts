// channels' public surface beside channels.service.ts: the channel model, for other modules'
// associations, includes and types (queries on channels belong in this module).
export { VideoChannelModel } from './video-channel.model';
