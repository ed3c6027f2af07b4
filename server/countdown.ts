/**
 * One timer that can be restarted: what a connection's statement timeout and
 * idle-session timeout each are (docs/server.md, "Limits and timeouts").
 * Timers fire on the server's thread, so a statement that keeps the thread
 * busy is seen to have timed out here only at its next await; the engine's
 * per-batch deadline check (engine/exec/cancel.ts) stops it before that.
 */
export class Countdown {
  private timer: NodeJS.Timeout | null = null;

  /** Starts over: `onFire` runs once `ms` pass without another start() or stop(); 0 or less: it never fires. */
  start(ms: number, onFire: () => void): void {
    this.stop();
    if (!(ms > 0)) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      onFire();
    }, ms);
    // a pending timeout alone does not keep the process alive
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
