import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  isIdRefusal,
  MAX_ID_LENGTH,
  MAX_ID_SPELLING,
  normalizeId,
} from '../../src/domain/identity.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { pollSecret, voterToken } from '../../src/domain/voter-token.ts';
import { refusedId, respelledId } from '../http/fuzz-input-classes.ts';

const refusal = (text: string) => {
  const id = normalizeId(text);
  return isIdRefusal(id) ? id.message : undefined;
};

const nfc = suite('normalizeId: one spelling per id');

nfc('a decomposed id is its precomposed (NFC) form', () => {
  assert.is(normalizeId('Jose\u0301'), 'Jos\u00e9');
  assert.is(normalizeId('Jos\u00e9'), 'Jos\u00e9');
  assert.is(normalizeId('\u212bngstro\u0308m'), '\u00c5ngstr\u00f6m'); // Angstrom sign
  assert.is(normalizeId('\u1112\u1161\u11ab'), '한');
  // Marks of different classes in either order are one spelling.
  assert.is(normalizeId('d\u0307\u0323'), normalizeId('d\u0323\u0307'));
});

nfc('plain ASCII ids are themselves', () => {
  for (const id of ['alice', 'a', 'voter-1', 'alice smith', '~!@#$%^&*()', 'x'.repeat(128)])
    assert.is(normalizeId(id), id);
});

nfc('what stays distinct: case, inner spaces, compatibility forms', () => {
  const ids = ['alice smith', 'Alice Smith', 'alice  smith', 'alice\u00a0smith', 'ﬁ', 'fi', 'Ａ'];
  const normalized = ids.map(normalizeId);
  assert.equal(normalized, ids);
});

nfc('any spelling of an id is that id, in shard, token and all', () => {
  const secret = pollSecret('0123456789abcdef0123456789abcdef', { id: 'p', createdAt: 1 });
  fc.assert(
    fc.property(respelledId, ({ id, spelling }) => {
      const normalized = normalizeId(spelling);
      assert.is(normalized, id);
      assert.is(shardOf('p', normalized as string, 16), shardOf('p', id, 16));
      assert.is(voterToken(secret, 'p', normalized as string), voterToken(secret, 'p', id));
    }),
  );
});

nfc('idempotent, and refuses a spelling exactly when it refuses the NFC and NFD forms', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        refusedId,
      ),
      (text) => {
        const id = normalizeId(text);
        const forms = [text.normalize('NFC'), text.normalize('NFD')].map(normalizeId);
        if (isIdRefusal(id)) {
          for (const form of forms) assert.ok(isIdRefusal(form), JSON.stringify(text));
        } else {
          assert.is(normalizeId(id), id);
          assert.equal(forms, [id, id]);
        }
      },
    ),
  );
});

nfc.run();

const refuse = suite('normalizeId: ids it refuses, and why');

const cases: [string, string, RegExp][] = [
  ['the empty string', '', /is empty/],
  ['a zero-width space', 'alice\u200b', /invisible or format character \(U\+200B\)/],
  ['a zero-width joiner', 'a\u200db', /U\+200D/],
  ['a byte-order mark', '\ufeffalice', /U\+FEFF/],
  ['a right-to-left override', '\u202ealice', /U\+202E/],
  ['a left-to-right isolate', 'a\u2066b', /U\+2066/],
  ['a soft hyphen', 'ali\u00adce', /U\+00AD/],
  ['a Hangul filler', '\u3164', /U\+3164/],
  ['a variation selector', '\u2764\ufe0f', /U\+FE0F/],
  ['a tag character', 'a\u{e0061}', /U\+E0061/],
  ['an Arabic number sign (format, visible)', '\u0600a', /U\+0600/],
  ['a control character', 'a\u0007b', /control character \(U\+0007\)/],
  ['a C1 control', 'a\u0085b', /control character \(U\+0085\)/],
  ['an unassigned code point', 'a\u0378b', /unassigned code point \(U\+0378\)/],
  ['a noncharacter', 'a\ufdd0b', /unassigned code point \(U\+FDD0\)/],
  ['an unpaired high surrogate', 'a\ud800b', /unpaired surrogate \(U\+D800\)/],
  ['an unpaired low surrogate', '\udc00', /unpaired surrogate \(U\+DC00\)/],
  ['a leading space', ' alice', /begins or ends with whitespace/],
  ['a trailing ideographic space', 'alice\u3000', /whitespace/],
  ['only a no-break space', '\u00a0', /whitespace/],
  ['129 characters', 'x'.repeat(129), /longer than 128 characters once normalized/],
  ['128 characters that NFC makes 384', '\ufb2c'.repeat(128), /longer than 128/],
];
for (const [what, text, why] of cases) {
  refuse(`${what}`, () => {
    assert.match(refusal(text) ?? 'accepted', why);
  });
}

refuse('the length limit counts code points of the NFC form, not UTF-16 units or bytes', () => {
  assert.is(normalizeId('😀'.repeat(MAX_ID_LENGTH)), '😀'.repeat(MAX_ID_LENGTH));
  const hangul = '한'.repeat(MAX_ID_LENGTH);
  assert.is(hangul.normalize('NFD').length, 3 * MAX_ID_LENGTH);
  assert.is(normalizeId(hangul.normalize('NFD')), hangul);
  assert.ok(MAX_ID_SPELLING >= 4 * MAX_ID_LENGTH);
});

refuse.run();
