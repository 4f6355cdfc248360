/** socket.io namespace runners connect to, with `auth: { runnerToken }` in the handshake. */
export const RUNNERS_SOCKET_NAMESPACE = '/runners';

/** Server → runner events. `available-jobs` carries no payload: "some job became PENDING, ask". */
export const RunnerSocketEvent = {
  AVAILABLE_JOBS: 'available-jobs',
} as const;
export type RunnerSocketEvent = (typeof RunnerSocketEvent)[keyof typeof RunnerSocketEvent];

export interface RunnerSocketAuth {
  runnerToken: string;
}
