// runners' public surface beside runners.service.ts / runner-jobs.service.ts: the job-type handler
// registry other modules plug their runner job types into, and the job row's type.
export { RunnerJobHandlers, type RunnerInputKind, type RunnerJobHandler, type RunnerJobPolicy, type UploadedRunnerFile } from './runner-job-handlers';
export type { RunnerJobModel } from './runner.model';
