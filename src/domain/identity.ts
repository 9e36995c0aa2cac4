// The identity policy: what a voter id or a vote id is, whatever spelling a client sends.
// Pure; every route an id enters by (POST /votes, /votes/batch items, token issuance, the
// voter and vote lookups, `votestream tokens`) applies it before the id is sharded, hashed
// into a token or looked up, so two spellings of one id can never be two voters.
//
// - Unicode NFC: a precomposed "é" (U+00E9) and "e" + U+0301 are the same id, the NFC one.
// - Refused (never silently dropped, which would make two ids one behind the client's back):
//   unpaired UTF-16 surrogates (UTF-8 cannot encode them: Redis and the token HMAC would see
//   U+FFFD instead, so "\ud800" and "\udbff" would share a voter and a token), control
//   characters, format and other default-ignorable characters (zero-width space and joiners,
//   byte-order mark, bidirectional controls, soft hyphen, variation selectors, Hangul
//   fillers, tags: invisible, so "alice" and "alice" + U+200B would look like one voter),
//   code points this Node's Unicode does not assign (a later Unicode could give them a
//   decomposition, and NFC would then change; NFC of assigned characters never changes), and
//   whitespace at either end.
// - Distinct, as written: case ("Alice" ≠ "alice"), inner whitespace ("a b" ≠ "a  b" ≠
//   "a" + U+00A0 + "b"), compatibility forms (NFC, not NFKC: "ﬁ" ≠ "fi", "Ａ" ≠ "A").
// - At most MAX_ID_LENGTH code points once normalized (NFC can lengthen a string: U+FB2C is
//   three code points in NFC), which is what the VoteCast schema allows.

/** Longest id, in code points of its NFC form: the VoteCast schema's maxLength. */
export const MAX_ID_LENGTH = 128;

/**
 * Longest spelling of an id a client may send, in code points: canonical decomposition turns
 * one code point into at most 4, so every spelling of a MAX_ID_LENGTH id fits.
 */
export const MAX_ID_SPELLING = 4 * MAX_ID_LENGTH;

/** Why a string is not an id; `message` completes "voterId …". */
export interface IdRefusal {
  problem: 'not-an-id';
  message: string;
}

/** Printable ASCII without a space at either end: already an id, in NFC (the common case). */
const PLAIN_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const UNPAIRED_SURROGATE = /\p{Cs}/u;
/** Control, format, default-ignorable and unassigned code points (noncharacters included). */
const NOT_IN_AN_ID = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cn}]/u;
const EDGE_SPACE = /^\p{White_Space}|\p{White_Space}$/u;

/**
 * The id a client's string stands for (its NFC form), or why it is not one.
 * Idempotent: the id of an id is itself.
 */
export function normalizeId(text: string): string | IdRefusal {
  if (text.length <= MAX_ID_LENGTH && PLAIN_ASCII.test(text)) return text;
  const surrogate = UNPAIRED_SURROGATE.exec(text);
  if (surrogate) return refuse(`contains an unpaired surrogate (${codePoint(surrogate[0])})`);
  const id = text.normalize('NFC');
  if (id.length === 0) return refuse('is empty');
  let length = 0;
  for (const _ of id) length++;
  if (length > MAX_ID_LENGTH)
    return refuse(`is longer than ${MAX_ID_LENGTH} characters once normalized (NFC)`);
  const hidden = NOT_IN_AN_ID.exec(id);
  if (hidden) return refuse(`contains ${kindOf(hidden[0])} (${codePoint(hidden[0])})`);
  if (EDGE_SPACE.test(id)) return refuse('begins or ends with whitespace');
  return id;
}

export function isIdRefusal(value: unknown): value is IdRefusal {
  return (
    typeof value === 'object' && value !== null && (value as IdRefusal).problem === 'not-an-id'
  );
}

/** Whether `text` is well-formed UTF-16 (no unpaired surrogate), i.e. encodable as UTF-8. */
export function isWellFormed(text: string): boolean {
  return !UNPAIRED_SURROGATE.test(text);
}

function kindOf(char: string): string {
  if (/\p{Cc}/u.test(char)) return 'a control character';
  if (/\p{Cn}/u.test(char)) return 'an unassigned code point';
  return 'an invisible or format character';
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function refuse(message: string): IdRefusal {
  return { problem: 'not-an-id', message };
}
