import { RUNNER_JOB_CANCELLABLE_STATES, RUNNER_JOB_FINAL_STATES, RunnerJobState } from '@flotilla/shared';

/**
 * The runner job state machine in one table, built from shared's state sets: every conditional
 * UPDATE in the repository takes its `WHERE state …` from here, so "finished" or "cancellable"
 * is spelled once.
 */
export const RUNNER_JOB_TRANSITIONS = {
  /** A runner takes a pending job. */
  accept: { from: [RunnerJobState.PENDING], to: RunnerJobState.PROCESSING },
  /** Progress/heartbeat, abort, error and success all start from the held job. */
  heartbeat: { from: [RunnerJobState.PROCESSING], to: RunnerJobState.PROCESSING },
  abort: { from: [RunnerJobState.PROCESSING], to: RunnerJobState.PENDING },
  fail: { from: [RunnerJobState.PROCESSING], to: [RunnerJobState.PENDING, RunnerJobState.ERRORED] },
  success: { from: [RunnerJobState.PROCESSING], to: RunnerJobState.COMPLETING },
  complete: { from: [RunnerJobState.COMPLETING], to: [RunnerJobState.COMPLETED, RunnerJobState.ERRORED] },
  /** A completed parent lets its children run. */
  release: { from: [RunnerJobState.WAITING_FOR_PARENT_JOB], to: RunnerJobState.PENDING },
  cancel: { from: RUNNER_JOB_CANCELLABLE_STATES, to: RunnerJobState.CANCELLED },
  /** A silent runner's job, or a completion that never ended (the server died mid-way). */
  stalled: { from: [RunnerJobState.PROCESSING], to: RunnerJobState.PENDING },
  orphanedCompletion: { from: [RunnerJobState.COMPLETING], to: RunnerJobState.PENDING },
} as const;

/** States a job is over in: descendants in them are left alone, the unique rung index ignores them. */
export const RUNNER_JOB_FINISHED: readonly RunnerJobState[] = RUNNER_JOB_FINAL_STATES;

