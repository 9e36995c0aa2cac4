// Instants the API takes (a poll's opensAt and closesAt; `votestream replay --from/--to`):
// one grammar, one parser, and every instant it accepts is a whole millisecond a Date holds
// and the PollCreated schema allows. Pure.
//
// - Milliseconds since 1970-01-01T00:00:00Z: an integer from 0 to MAX_INSTANT.
// - Or an RFC 3339 date-time, `YYYY-MM-DDTHH:MM:SS[.sss](Z|±HH:MM)` (`t` and `z` may be
//   lowercase, as RFC 3339 allows), or with the `+YYYYYY` year that toISOString writes past
//   9999, so every instant the API shows is one it takes back. Refused: other separators and
//   offset forms (`+09`, `+0900`), leap seconds (a Date has none), more than millisecond
//   precision (it would be cut off unseen), times before 1970 and after MAX_INSTANT.
//   Date.parse is not used: it takes a looser, engine-specific grammar (and gives NaN for
//   some of what ajv's date-time format takes).

/** The last millisecond a Date represents (8.64e15: 275760-09-13T00:00:00Z). */
export const MAX_INSTANT = 8_640_000_000_000_000;

/** Why a value is not an instant; `message` completes "closesAt …". */
export interface InstantRefusal {
  problem: 'not-an-instant';
  message: string;
}

const DATE_TIME =
  /^(\d{4}|\+\d{6})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const GRAMMAR = 'an RFC 3339 date-time, YYYY-MM-DDTHH:MM:SS[.sss] then Z or ±HH:MM';

/** Epoch milliseconds of an instant given as milliseconds or as a date-time; or why not. */
export function parseInstant(value: string | number): number | InstantRefusal {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return refuse('must be whole milliseconds');
    return inRange(value);
  }
  const m = DATE_TIME.exec(value);
  if (!m) return refuse(`must be ${GRAMMAR}, or milliseconds since 1970`);
  const [, y, mo, d, h, mi, s, fraction, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const [hour, minute, second] = [Number(h), Number(mi), Number(s)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month))
    return refuse(`has no such date (${y}-${mo}-${d})`);
  if (second === 60) return refuse('is a leap second, which a Date cannot represent');
  if (hour > 23 || minute > 59 || second > 59) return refuse(`has no such time (${h}:${mi}:${s})`);
  if (fraction !== undefined && fraction.length > 3)
    return refuse('is more precise than a millisecond');
  const offsetMinutes = sign ? Number(oh) * 60 + Number(om) : 0;
  if (Number(oh ?? 0) > 23 || Number(om ?? 0) > 59) return refuse('has no such offset');
  const ms = Number((fraction ?? '').padEnd(3, '0'));
  const local = ((daysSince1970(year, month, day) * 24 + hour) * 60 + minute) * 60_000;
  const utc = local + second * 1000 + ms - (sign === '-' ? -1 : 1) * offsetMinutes * 60_000;
  return inRange(utc);
}

export function isInstantRefusal(value: unknown): value is InstantRefusal {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as InstantRefusal).problem === 'not-an-instant'
  );
}

function inRange(ms: number): number | InstantRefusal {
  if (ms < 0) return refuse('is before 1970-01-01T00:00:00Z');
  if (ms > MAX_INSTANT) return refuse('is after +275760-09-13T00:00:00Z, the last a Date holds');
  return ms === 0 ? 0 : ms; // JSON's -0 is the first instant too
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysSince1970(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function refuse(message: string): InstantRefusal {
  return { problem: 'not-an-instant', message };
}
