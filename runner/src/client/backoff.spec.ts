import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from './backoff';
import { isRetryableError, RunnerApiError, RunnerNetworkError } from './errors';

describe('backoffDelay', () => {
  it('doubles up to the ceiling, jittered between half and full', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 30_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 30_000, () => 1)).toBe(30_000);
  });
});

describe('withRetry', () => {
  it('retries retryable failures until success', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new RunnerApiError(503, null, 'busy');
        return 'ok';
      },
      { maxElapsedMs: 10_000, baseDelayMs: 1, maxDelayMs: 2, shouldRetry: isRetryableError },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up at once on a client error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new RunnerApiError(400, 'runner_job_not_in_processing_state', 'no');
        },
        { maxElapsedMs: 10_000, baseDelayMs: 1, shouldRetry: isRetryableError },
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const run = withRetry(
      async () => {
        throw new RunnerNetworkError('down');
      },
      { maxElapsedMs: 60_000, baseDelayMs: 10_000, shouldRetry: isRetryableError, signal: controller.signal },
    );
    controller.abort(new Error('stopping'));
    await expect(run).rejects.toThrow('stopping');
  });

  it('classifies errors', () => {
    expect(isRetryableError(new RunnerNetworkError('x'))).toBe(true);
    expect(isRetryableError(new RunnerApiError(502, null, 'x'))).toBe(true);
    expect(isRetryableError(new RunnerApiError(429, null, 'x'))).toBe(true);
    expect(isRetryableError(new RunnerApiError(404, null, 'x'))).toBe(false);
    expect(isRetryableError(new Error('x'))).toBe(false);
  });
});
