/**
 * One signal that aborts when any of `signals` does, with that signal's reason. `AbortSignal.any`
 * would do, but browsers a few years old lack it; `dispose` detaches the listeners once done.
 */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const attached: { signal: AbortSignal; listener: () => void }[] = [];
  const dispose = () => {
    for (const { signal, listener } of attached) signal.removeEventListener('abort', listener);
    attached.length = 0;
  };
  for (const signal of signals) {
    if (signal === undefined) continue;
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    const listener = () => {
      controller.abort(signal.reason);
      dispose();
    };
    signal.addEventListener('abort', listener, { once: true });
    attached.push({ signal, listener });
  }
  if (controller.signal.aborted) dispose();
  return { signal: controller.signal, dispose };
}
