// Generators for the classes of input that pass a loose schema but that code cannot use
// (issue 14): date-times, numbers past what a Date or a double holds, lengths counted in code
// points, UTF-16 units or bytes, unpaired surrogates, invisible and format characters, and
// ids spelled in more than one Unicode form. The fuzz test sends them to the routes; the
// schema agreement test feeds them to the schemas and the code behind them.
import fc from 'fast-check';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Two digits, in range or just past it (month 13, hour 24, second 60, …). */
const twoDigits = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max }).map((n) => pad(n, 2)) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => pad(n, 2)) },
  );

const year = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1970, max: 2100 }).map((n) => pad(n, 4)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => pad(n, 4)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 999_999 }).map((n) => `+${pad(n, 6)}`) },
  { weight: 1, arbitrary: fc.constantFrom('1969', '0000', '+275760', '+275761', '-000001', '99') },
);

const separator = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('T', 't') },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\u00a0', '\u3000', '\u2028', '_', '') },
);

const fraction = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: 12 })
      .map((d) => `.${d.join('')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('.', ',5', '.５') },
);

const zone = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('Z', 'z', '+00:00', '-00:00') },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('+', '-'), twoDigits(23), twoDigits(59))
      .map(([s, h, m]) => `${s}${h}:${m}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('+', '-'), twoDigits(23), twoDigits(59), fc.constantFrom('', ':'))
      .chain(([s, h, m, colon]) => fc.constantFrom(`${s}${h}`, `${s}${h}${colon}${m}`)),
  },
  { weight: 1, arbitrary: fc.constantFrom('', '+9:00', '+09:0', 'UTC', ' Z', 'GMT+1') },
);

/** Strings shaped like date-times, valid or not: every part varied within and past its range. */
export const dateTimeLike: fc.Arbitrary<string> = fc
  .tuple(
    year,
    twoDigits(12),
    twoDigits(31),
    separator,
    twoDigits(23),
    twoDigits(59),
    fc.oneof({ weight: 6, arbitrary: twoDigits(59) }, { weight: 1, arbitrary: fc.constant('60') }),
    fraction,
    zone,
    fc.constantFrom('full', 'full', 'full', 'no seconds', 'date only'),
  )
  .map(([y, mo, d, sep, h, mi, s, frac, z, shape]) => {
    if (shape === 'date only') return `${y}-${mo}-${d}`;
    if (shape === 'no seconds') return `${y}-${mo}-${d}${sep}${h}:${mi}${z}`;
    return `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${z}`;
  });

/** A date-time that is valid but for one part, which no Date or poll can represent. */
export const unrepresentableDateTime: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1971, max: 9998 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 0, max: 12 }),
  )
  .chain(([y, mo, d, h, mi, s, k]) => {
    const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
    const time = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
    const breaks: string[] = [
      `${date}T${time}+${pad(k, 2)}`, // offset without minutes: the sample
      `${date}T${time}-${pad(k, 2)}00`, // offset without a colon
      `${date}T${pad(h, 2)}:${pad(mi, 2)}:60Z`, // leap second
      `${pad(y % 1969, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${time}Z`, // before 1970
      `1970-01-01T00:00:00+${pad(k + 1, 2)}:00`, // an offset that puts it before 1970
      `${date} ${time}Z`,
      `${date}\u00a0${time}Z`,
      `${date}T${time}.${'1'.repeat(4 + k)}Z`, // finer than a millisecond
      `${date}T${time}`, // no zone
      `${pad(y, 4)}-${pad(13 + k, 2)}-${pad(d, 2)}T${time}Z`,
      `${pad(y, 4)}-${pad(mo, 2)}-${pad(32 + k, 2)}T${time}Z`,
      `${pad(y % 4 === 0 ? y + 1 : y, 4)}-02-29T${time}Z`, // February 29 of a common year
      `${date}T${pad(24 + k, 2)}:${pad(mi, 2)}:00Z`,
      `${date}T${pad(h, 2)}:${pad(60 + k, 2)}:00Z`,
      `${date}T${time}+${pad(24 + k, 2)}:00`,
      `+${pad(275761 + k, 6)}-01-01T00:00:00Z`, // past the last Date
      date,
    ];
    return fc.constantFrom(...breaks);
  });

/** JSON numbers no poll time can be: past what a Date holds, negative, fractions, Infinity. */
export const unrepresentableNumberText: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(fc.constantFrom(...'0123456789'), { minLength: 16, maxLength: 40 })
    .map((d) => `1${d.join('')}`), // 17 digits or more: past 8.64e15, often past 2^53
  fc.constantFrom('8640000000000001', '9007199254740993', '1e16', '1e400', '-1e400', '-1'),
  fc.integer({ min: 1, max: 2 ** 40 }).map((n) => `-${n}`),
  fc
    .tuple(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 999 }))
    .map(([n, f]) => `${n}.${pad(f, 3)}`), // a fraction a double keeps
);

/** Format and other default-ignorable code points: invisible, or invisible to most eyes. */
const INVISIBLE: string[] = [];
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const ch = String.fromCodePoint(cp);
  if (/[\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(ch)) INVISIBLE.push(ch);
}
const WHITE_SPACE = [
  ...'\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
];
const CONTROL = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)),
  ...Array.from({ length: 33 }, (_, i) => String.fromCharCode(0x7f + i)),
];
/** Characters that NFC turns into two or three code points. */
const EXPANDING = ['\ufb2c', '\u0958', '\u{1d160}', '\u0344', '\u{1d15e}'];

/** Letters an id may hold: ASCII, Latin-1, Hangul, CJK, an emoji; inner spaces too. */
const idChar = fc.constantFrom(...'abcXYZ019-_.é ñß한中😀𝕏');
const plainId = fc.array(idChar, { minLength: 1, maxLength: 40 }).map((c) => `v${c.join('')}w`);

const insertAt = (text: string, at: number, piece: string) => {
  const chars = [...text];
  const i = at % (chars.length + 1);
  return [...chars.slice(0, i), piece, ...chars.slice(i)].join('');
};

/** Ids the identity policy refuses, by construction: each breaks one rule of it. */
export const refusedId: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(plainId, fc.nat(), fc.constantFrom(...INVISIBLE))
    .map(([id, at, ch]) => insertAt(id, at, ch)),
  fc
    .tuple(plainId, fc.nat(), fc.integer({ min: 0xd800, max: 0xdfff }))
    .map(([id, at, unit]) => insertAt(id, at, String.fromCharCode(unit))),
  fc
    .tuple(plainId, fc.nat(), fc.constantFrom(...CONTROL))
    .map(([id, at, ch]) => insertAt(id, at, ch)),
  fc
    .tuple(plainId, fc.nat(), fc.integer({ min: 0x40000, max: 0xdffff }))
    .map(([id, at, cp]) => insertAt(id, at, String.fromCodePoint(cp))), // unassigned planes
  fc
    .tuple(plainId, fc.nat(), fc.constantFrom('\ufdd0', '\ufffe', '\uffff', '\u{10ffff}'))
    .map(([id, at, ch]) => insertAt(id, at, ch)), // noncharacters
  fc
    .tuple(plainId, fc.constantFrom(...WHITE_SPACE), fc.boolean())
    .map(([id, ws, front]) => (front ? ws + id : id + ws)),
  fc
    .tuple(fc.constantFrom(...EXPANDING), fc.integer({ min: 65, max: 128 }))
    .map(([ch, n]) => ch.repeat(n)), // at most 128 as sent, more than 128 in NFC
  fc.array(idChar, { minLength: 129, maxLength: 600 }).map((c) => `v${c.join('')}w`),
);

/**
 * Ids near the length limit in one form and not the other: characters NFC lengthens, then
 * plain ones, so the NFC form is on either side of 128 code points whatever the raw length.
 */
export const lengthEdgeId: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...EXPANDING), fc.integer({ min: 0, max: 70 }), widthMix(0, 140))
  .map(([ch, k, rest]) => `${ch.repeat(k)}${rest}`)
  .filter((id) => id.length > 0);

/** Text with one unpaired surrogate: not Unicode, and not representable in UTF-8. */
export const illFormedText: fc.Arbitrary<string> = fc
  .tuple(widthMix(0, 20), fc.nat(), fc.integer({ min: 0xd800, max: 0xdfff }))
  .map(([text, at, unit]) => insertAt(text, at, String.fromCharCode(unit)));

/** NFC ids whose characters have other canonical spellings (decomposed, singletons, order). */
export const MANY_SPELLINGS = [
  'José',
  'Ångström',
  '한국어',
  'ṩ-ḍ̇-ǖ',
  'ᾂ Ἄρης',
  'Ñandú',
  'Œuvre ü',
  'Åsa',
  'ệ 😀',
].map((id) => id.normalize('NFC'));

/** Other spellings of a code point (its decomposition; a singleton that maps to it). */
const OTHER_SPELLINGS: Record<string, string[]> = { Å: ['\u212b', 'A\u030a'] };

/** A random canonically equivalent spelling of `id`: each character as-is or decomposed. */
export function spellingOf(id: string): fc.Arbitrary<string> {
  const options = [...id].map((ch) => [
    ...new Set([ch, ch.normalize('NFD'), ...(OTHER_SPELLINGS[ch] ?? [])]),
  ]);
  return fc.tuple(...options.map((o) => fc.constantFrom(...o))).map((parts) => parts.join(''));
}

/** Any spelling of one of MANY_SPELLINGS. */
export const respelledId: fc.Arbitrary<{ id: string; spelling: string }> = fc
  .constantFrom(...MANY_SPELLINGS)
  .chain((id) => spellingOf(id).map((spelling) => ({ id, spelling })));

/** Text of `min`-`max` code points of any width (1-4 UTF-8 bytes, 1-2 UTF-16 units each). */
export function widthMix(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom('a', 'é', '中', '𝕏', '😀'), { minLength: min, maxLength: max })
    .map((c) => c.join(''));
}
