import { OutputTooLargeError } from './errors.js';

/**
 * The bytes a request may still write, shared by all its writes: each takes its room before its
 * bytes go out (a stream chunk by chunk), so writes side by side can never all count on the same
 * free room.
 */
export interface ByteBudget {
  readonly maxBytes: number;
  /** Takes `bytes` of room, or takes nothing and throws OutputTooLargeError. */
  reserve(bytes: number): void;
  /** Gives back room a failed write took, or that an overwritten object held. */
  release(bytes: number): void;
}

/** A budget of `maxBytes` of which `usedBytes` are taken already (what earlier invocations wrote). */
export function createByteBudget(maxBytes: number, usedBytes = 0): ByteBudget {
  let used = usedBytes;
  return {
    maxBytes,
    reserve(bytes) {
      if (used + bytes > maxBytes) throw new OutputTooLargeError(maxBytes);
      used += bytes;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
  };
}
