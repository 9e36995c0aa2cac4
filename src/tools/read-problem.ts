// One wording for a file a tool cannot read (roll, tokens, tally --from-file): a line naming
// the file and why, which the CLI prints with exit 2, never Node's stack trace.
import { getSystemErrorMap } from 'node:util';

/** The common cases in plain words; any other system error by the system's description. */
const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EISDIR: 'a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * `error`, thrown reading `path` (`-`: standard input), as a RangeError `cannot read <path>:
 * <why>` when it is a system error (missing, a directory, no permission, …); any other error
 * as it is.
 */
export function readProblem(path: string, error: unknown): unknown {
  const { code, errno, syscall } = error as NodeJS.ErrnoException;
  if (code === undefined || syscall === undefined) return error;
  const why =
    READ_PROBLEMS[code] ??
    (errno === undefined ? code : getSystemErrorMap().get(errno)?.[1]) ??
    code;
  return new RangeError(`cannot read ${path === '-' ? 'standard input' : path}: ${why}`);
}
