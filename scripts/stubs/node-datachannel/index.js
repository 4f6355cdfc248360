'use strict';
// See package.json: WebRTC from Node is not used by Flotilla. The names exist so that modules which
// import them (webrtc-polyfill, pulled in by bittorrent-tracker's client) still load; using them fails.
function unavailable() {
  throw new Error('node-datachannel is not installed in Flotilla (WebRTC runs in browsers only)');
}
class Unavailable {
  constructor() {
    unavailable();
  }
}
exports.PeerConnection = Unavailable;
exports.RtcpReceivingSession = Unavailable;
exports.Video = Unavailable;
exports.Audio = Unavailable;
exports.DataChannel = Unavailable;
exports.cleanup = function cleanup() {};
exports.initLogger = function initLogger() {};
