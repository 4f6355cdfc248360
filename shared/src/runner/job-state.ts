/**
 * Runner job states with PeerTube's numeric values: they travel as `state: { id, label }` and a
 * PeerTube admin UI or runner reads the numbers as they are.
 */
export const RunnerJobState = {
  PENDING: 1,
  PROCESSING: 2,
  COMPLETED: 3,
  ERRORED: 4,
  WAITING_FOR_PARENT_JOB: 5,
  CANCELLED: 6,
  PARENT_ERRORED: 7,
  PARENT_CANCELLED: 8,
  /** Success received, server-side completion still running (recent PeerTube versions). */
  COMPLETING: 9,
} as const;
export type RunnerJobState = (typeof RunnerJobState)[keyof typeof RunnerJobState];

export const RUNNER_JOB_STATE_LABELS: Record<RunnerJobState, string> = {
  1: 'Pending',
  2: 'Processing',
  3: 'Completed',
  4: 'Errored',
  5: 'Waiting for parent job to finish',
  6: 'Cancelled',
  7: 'Parent job failed',
  8: 'Parent job cancelled',
  9: 'Completing',
};

/** States a job can no longer leave. */
export const RUNNER_JOB_FINAL_STATES: readonly RunnerJobState[] = [
  RunnerJobState.COMPLETED,
  RunnerJobState.ERRORED,
  RunnerJobState.CANCELLED,
  RunnerJobState.PARENT_ERRORED,
  RunnerJobState.PARENT_CANCELLED,
];

/** States an admin may cancel from. */
export const RUNNER_JOB_CANCELLABLE_STATES: readonly RunnerJobState[] = [
  RunnerJobState.PENDING,
  RunnerJobState.PROCESSING,
  RunnerJobState.WAITING_FOR_PARENT_JOB,
];
