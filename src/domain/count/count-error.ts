// Errors of the counting core. Each carries a stable code, so the HTTP layer and the CLI can map
// it into the project's error table without parsing messages.

/** Stable codes of a profile or rule set the counting core refuses. */
export type ProfileErrorCode =
  | 'NO_OPTIONS'
  | 'DUPLICATE_OPTION'
  | 'UNKNOWN_OPTION'
  | 'DUPLICATE_CHOICE'
  | 'BAD_COUNT'
  | 'BAD_SEATS'
  | 'BAD_LOT_ORDER'
  | 'BAD_NAME';

/** A ballot profile or counting rule the tabulators cannot count (nothing is counted). */
export class ProfileError extends Error {
  override name = 'ProfileError';
  readonly code: ProfileErrorCode;

  constructor(code: ProfileErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A BLT file that does not follow the format; `line` is 1-based, as an editor shows it. */
export class BltSyntaxError extends Error {
  override name = 'BltSyntaxError';
  readonly code = 'BLT_SYNTAX';
  readonly line: number;

  constructor(line: number, message: string) {
    super(`BLT line ${line}: ${message}`);
    this.line = line;
  }
}
