'use strict';
// See package.json: WebRTC from Node is not used by Flotilla.
throw new Error('node-datachannel is not installed in Flotilla (WebRTC runs in browsers only)');
