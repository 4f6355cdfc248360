/** A runner-protocol call the server answered with an error status. `code` is the problem body's code. */
export class RunnerApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'RunnerApiError';
  }
}

/** The server could not be reached (refused, reset, DNS, timeout). */
export class RunnerNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunnerNetworkError';
  }
}

/** Worth trying again later: the server was away, overloaded or failing for a moment. */
export function isRetryableError(err: unknown): boolean {
  if (err instanceof RunnerNetworkError) return true;
  if (err instanceof RunnerApiError) return err.status >= 500 || err.status === 429 || err.status === 408;
  return false;
}

export function hasErrorCode(err: unknown, code: string): boolean {
  return err instanceof RunnerApiError && err.code === code;
}
