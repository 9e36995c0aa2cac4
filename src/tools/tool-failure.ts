// A tool that could not do its work for a reason outside it (a node that refused or did not
// answer): the CLI prints the message as one line and exits 1, not a stack trace.

/** One line for a person; exit 1. `cause`: the underlying error, kept for a debugger. */
export class ToolFailure extends Error {
  override name = 'ToolFailure';
}
