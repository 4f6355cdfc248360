/**
 * Follows one live video on `/live-videos` (PeerTube's namespace and events): state changes and
 * viewer counts. socket.io-client is loaded only when a live page needs it.
 */
export interface LiveFollow {
  stop(): void;
}

export async function followLive(
  videoId: number,
  on: { stateChange(state: number): void; viewers(count: number): void },
): Promise<LiveFollow> {
  const { io } = await import('socket.io-client');
  const socket = io(`${location.origin}/live-videos`, { transports: ['websocket'] });
  const subscribe = () => socket.emit('subscribe', { videoId });
  socket.on('connect', subscribe);
  socket.on('state-change', (p: { state?: unknown }) => {
    if (typeof p?.state === 'number') on.stateChange(p.state);
  });
  socket.on('views-change', (p: { viewers?: unknown }) => {
    if (typeof p?.viewers === 'number') on.viewers(p.viewers);
  });
  return {
    stop: () => {
      socket.emit('unsubscribe', { videoId });
      socket.disconnect();
    },
  };
}
