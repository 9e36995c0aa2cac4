// SIGTERM and SIGINT for the long-running commands (node, up, load, replay --follow). The first
// signal starts the command's graceful stop, which has VS_STOP_TIMEOUT_MS to finish; if it has
// not by then, or if a second signal comes, the process ends at once with a non-zero code,
// after `onForce` (synchronous: say what is abandoned, kill child processes by pid).
//
// A signal within SAME_STOP_MS of the first is the same request, not a second one: Ctrl-C in a
// terminal signals the whole process group, so a node under `votestream up` (or a command under
// `npm start`) gets the terminal's SIGINT and, milliseconds later, its parent's own SIGTERM or
// forwarded SIGINT. Taken as a second signal, that skipped every node's snapshots.

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

/** Signals this soon after the first are the same stop (ms); a person's second Ctrl-C is later. */
export const SAME_STOP_MS = 500;

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
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (performance.now() - firstAt < SAME_STOP_MS) return;
      force('second signal', signal, signalExitCode(signal));
      return;
    }
    firstAt = performance.now();
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
