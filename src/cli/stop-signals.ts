// SIGTERM and SIGINT for the long-running commands (node, up, load, replay --follow). The first
// signal starts the command's graceful stop, which has VS_STOP_TIMEOUT_MS to finish; if it has
// not by then, or if a second signal comes, the process ends at once with a non-zero code,
// after `onForce` (synchronous: say what is abandoned, kill child processes by pid).

export type ForcedBy = 'deadline' | 'second signal';

export interface StopSignalOptions {
  /** The stop's bound (ms), counted from the first signal. */
  timeoutMs: number;
  /** Runs right before the forced exit; must not wait for anything. */
  onForce(by: ForcedBy, signal: NodeJS.Signals | undefined): void;
}

export interface StopSignals {
  /** Aborted at the first SIGTERM or SIGINT. */
  readonly signal: AbortSignal;
  /** Resolves with the first signal. */
  readonly received: Promise<NodeJS.Signals>;
  /**
   * The command's work is done: remove the handlers (a later signal ends the process as usual).
   * A watchdog already armed stays, unref'd: it fires only if something still holds the
   * process open past the bound.
   */
  release(): void;
}

/** Exit code of a process ended by a signal, as shells report it (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : 15);
}

/** Exit code when the stop ran out of its bound. */
export const DEADLINE_EXIT_CODE = 1;

/** Installs the handlers; see the module comment. */
export function watchStopSignals({ timeoutMs, onForce }: StopSignalOptions): StopSignals {
  const controller = new AbortController();
  let resolveReceived: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveReceived = resolve;
  });
  const force = (by: ForcedBy, signal: NodeJS.Signals | undefined, code: number) => {
    try {
      onForce(by, signal);
    } finally {
      process.exit(code);
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      force('second signal', signal, signalExitCode(signal));
      return;
    }
    controller.abort();
    // Unref'd: a command that finishes its stop in time exits by itself.
    const watchdog = setTimeout(() => force('deadline', undefined, DEADLINE_EXIT_CODE), timeoutMs);
    watchdog.unref();
    resolveReceived(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: controller.signal,
    received,
    release() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
