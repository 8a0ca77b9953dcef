import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time, on two cores: most tests wait on local servers and child processes, not
    // the CPU. The Terraform checks run beside these in a process of their own (scripts/test.mjs).
    maxWorkers: 2,
    // The SDK warns once per process that Node 20 support ends in 2027; the deployed runtime is Node 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
