import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time: the sandbox tests kill workers and take over their 1-2 s leases, which
    // three files side by side on two cores (tried) starve into worker_lost. The Terraform checks
    // run in a process of their own after these (scripts/test.mjs).
    maxWorkers: 1,
    // The SDK warns once per process that Node 20 support ends in 2027; the deployed runtime is Node 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
