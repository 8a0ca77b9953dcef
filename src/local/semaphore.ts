/** A counting semaphore with a FIFO queue; `close()` releases every waiter with false. */
export class Semaphore {
  private held = 0;
  private readonly waiters: Array<(granted: boolean) => void> = [];
  private closed = false;

  constructor(private readonly size: number) {}

  /** Takes a permit now if one is free. */
  tryAcquire(): boolean {
    if (this.closed || this.held >= this.size) return false;
    this.held += 1;
    return true;
  }

  /** Waits for a permit; answers false if the semaphore is closed first. */
  acquire(): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    // Hand the permit straight to the next waiter, so a newcomer cannot overtake the queue.
    if (next !== undefined) next(true);
    else this.held -= 1;
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }

  get inUse(): number {
    return this.held;
  }

  get waiting(): number {
    return this.waiters.length;
  }
}
