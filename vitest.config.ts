import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on servers, sandboxes and timers, not on a core: on a 2-core machine three
    // files side by side finish far sooner than vitest's default of one (cores - 1). The Terraform
    // checks run in a process of their own next to these (scripts/test.mjs).
    maxWorkers: 3,
    // The SDK warns once per process that Node 20 support ends in 2027; the deployed runtime is Node 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
