import { describe, expect, it } from 'vitest';
import { measureWorstView } from '../../bench/view.js';

// Sizes only: the build time is the bench's to report (`npm run bench:view`), never asserted here.
const ONE_MB = 1_000_000;

describe('the largest view a request can have', () => {
  it('stays under 1 MB, and its webhook payload too, with MAX_FILES at its ceiling, the longest names and a 4 KB session token', async () => {
    const worst = await measureWorstView(0);

    expect(worst.viewBytes).toBeLessThan(ONE_MB);
    expect(worst.payloadBytes).toBeLessThan(ONE_MB);
    expect(worst.viewBytes).toBeGreaterThan(worst.files * worst.tokenBytes);
  });
});
