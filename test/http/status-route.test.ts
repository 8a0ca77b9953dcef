import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/http-error.js';
import { waitSeconds } from '../../src/http/status-route.js';

/** What `waitSeconds` throws for `wait`, or undefined when it does not throw. */
function refusal(wait: string): HttpError | undefined {
  try {
    waitSeconds({ wait });
    return undefined;
  } catch (error) {
    return error as HttpError;
  }
}

describe('waitSeconds', () => {
  it('is 0 without a wait parameter', () => {
    expect(waitSeconds(null)).toBe(0);
    expect(waitSeconds({})).toBe(0);
  });

  it('reads whole seconds from 0 to 25', () => {
    expect(['0', '1', '20', '25'].map((wait) => waitSeconds({ wait }))).toEqual([0, 1, 20, 25]);
  });

  it.each(['26', '-1', 'soon', '1.5'])('refuses wait=%j with 400 naming the field', (wait) => {
    const error = refusal(wait);

    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 400, details: { field: 'wait' } });
  });
});
