/** What feature modules that own a runner job type use: the handler registry and its types. */
export { RunnerJobHandlers } from './runner-job-handlers';
export type { RunnerJobHandler, RunnerJobPolicy, UploadedRunnerFile } from './runner-job-handlers';
export type { RunnerJobModel } from './runner.model';
