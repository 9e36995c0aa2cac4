// A reader that stops reading early (`votestream replay --poll P | head -3`) closes the pipe,
// and the next write to stdout fails with EPIPE, which Node reports as an unhandled 'error'
// with a stack trace. The reader has what it wanted: the command ends there, quietly.

let watching = false;

/**
 * Ends the process quietly when stdout's reader has gone (EPIPE), with the exit code the
 * command had decided by then (0 unless it set one: a verdict is set before it is printed, so
 * `replay --verify | head -1` still exits 1 on a broken chain). Any other write error is
 * raised as before.
 */
export function endQuietlyWhenStdoutCloses(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit();
    throw error;
  });
}
