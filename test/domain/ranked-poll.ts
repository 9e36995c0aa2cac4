// A ranked (IRV) poll of three options for tests that fold or count ranked ballots.
import type { Poll } from '../../src/domain/events.ts';

/**
 * Poll `p`: options a, b and c, up to three ranked, revotes replace. Its seed decides what the
 * tests see: ballots [a, b] and [b] leave a and b tied in the final two, equal in every round,
 * and this seed's lot puts b out, so a wins (with `'00'.repeat(16)`, b would win).
 */
export const RANKED_POLL: Poll = {
  id: 'p',
  title: 'P',
  options: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  maxChoices: 3,
  revote: 'replace',
  createdAt: 0,
  method: 'irv',
  seed: '0f'.repeat(16),
};
