// What the load generator sends: new voters, duplicates of acknowledged votes (the same
// voteId again) and revotes (an acknowledged voter again under a new voteId), drawn from a
// seeded PRNG so that the same --seed sends the same votes.

/** One vote as POST /votes takes it. */
export interface Vote {
  pollId: string;
  voterId: string;
  voteId: string;
  choices: string[];
}

/** The mix of votes to draw. `duplicates` and `revotes` are probabilities in [0, 1]. */
export interface VoteMix {
  seed: number;
  voters: number;
  duplicates: number;
  revotes: number;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws votes for `polls` (option ids per poll in `options`). Duplicates and revotes are
 * drawn from the votes reported through `acknowledged`, so a duplicate is always of a vote
 * the service has acknowledged.
 */
export class VoteSource {
  readonly #rand: () => number;
  readonly #mix: VoteMix;
  readonly #polls: string[];
  readonly #options: Map<string, string[]>;
  readonly #acknowledged: Vote[] = [];
  #nextVoter = 0;

  constructor(mix: VoteMix, polls: string[], options: Map<string, string[]>) {
    this.#rand = seededRandom(mix.seed);
    this.#mix = mix;
    this.#polls = polls;
    this.#options = options;
  }

  /** Records a vote acknowledged for the first time: later duplicates and revotes use it. */
  acknowledged(vote: Vote): void {
    this.#acknowledged.push(vote);
  }

  /** The next vote to send. */
  next(): Vote {
    const rand = this.#rand;
    const known = this.#acknowledged;
    if (known.length && rand() < this.#mix.duplicates)
      return known[Math.floor(rand() * known.length)]!;
    const pollId = this.#polls[Math.floor(rand() * this.#polls.length)]!;
    const options = this.#options.get(pollId)!;
    const choices = [options[Math.floor(rand() * options.length)]!];
    if (known.length && rand() < this.#mix.revotes) {
      const earlier = known[Math.floor(rand() * known.length)]!;
      return {
        pollId: earlier.pollId,
        voterId: earlier.voterId,
        voteId: crypto.randomUUID(),
        choices,
      };
    }
    const voterId = `voter-${this.#mix.seed}-${this.#nextVoter++ % this.#mix.voters}`;
    return { pollId, voterId, voteId: crypto.randomUUID(), choices };
  }
}
