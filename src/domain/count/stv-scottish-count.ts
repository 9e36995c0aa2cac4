// The state of one Scottish STV count, stage by stage (see countScottishStv in stv-scottish.ts
// for the rules and their sources). Values are bigints in units of 10^-5 votes.
import { formatFixed5, STV_SCALE } from './fixed-point.ts';
import type { LotSource } from './lot.ts';
import { firstPreferencePiles, type Piles, transferPile } from './piles.ts';
import type { CompiledProfile } from './profile.ts';
import type { StvResult, StvRound, TieBreak, Transfer } from './result.ts';
import { breakTie } from './tie-break.ts';
import { describeTransfer } from './transfer-record.ts';

const HOPEFUL = 1;
const ELECTED = 2;
const EXCLUDED = 3;

/**
 * One count of a checked profile: `run()` counts it to the end and returns the result. Only
 * countScottishStv (which checks the profile, seats and lot order) constructs it.
 */
export class ScottishCount {
  private readonly names: readonly string[];
  private readonly state: Uint8Array;
  /** 1 for a continuing (hopeful) candidate: the candidates papers may move to. */
  private readonly continuing: Uint8Array;
  private readonly pending: boolean[];
  private readonly vote: bigint[];
  private readonly piles: Piles;
  /** Per group: the value of one paper, and of all its papers (count × value). */
  private readonly weight: bigint[];
  private readonly value: bigint[];
  private readonly quota: bigint;
  private readonly history: bigint[][] = [];
  private readonly rounds: StvRound[] = [];
  private readonly tieBreaks: TieBreak[] = [];
  private readonly winners: string[] = [];
  private nonTransferable = 0n;
  private residual = 0n;

  constructor(
    private readonly profile: CompiledProfile,
    private readonly seats: number,
    private readonly lot: LotSource,
  ) {
    this.names = profile.options;
    this.state = Uint8Array.from(profile.withdrawn, (out) => (out ? EXCLUDED : HOPEFUL));
    this.continuing = Uint8Array.from(this.state, (s) => (s === HOPEFUL ? 1 : 0));
    this.pending = this.names.map(() => false);
    this.quota = (profile.valid / BigInt(seats + 1) + 1n) * STV_SCALE;
    this.piles = firstPreferencePiles(profile);
    this.weight = profile.counts.map(() => STV_SCALE);
    this.value = profile.counts.map((n) => n * STV_SCALE);
    this.vote = this.names.map(() => 0n);
    this.value.forEach((value, g) => {
      this.vote[this.piles.holder[g]!]! += value;
    });
  }

  /** Counts every stage, rules 45–52, and returns the result; call once. */
  run(): StvResult {
    this.openStage(1, 'first-preferences');
    this.electByQuota();
    this.closeStage();
    while (!this.complete()) {
      const stage = this.rounds.length + 1;
      const pending = this.names.flatMap((_, c) => (this.pending[c] ? [c] : []));
      if (pending.length > 0) {
        this.transferSurplus(stage, pending);
        this.electByQuota();
      } else {
        this.exclude(stage);
        if (!this.complete()) this.electByQuota();
      }
      this.closeStage();
    }
    // r. 52: the continuing candidates fill the vacancies left, with no further transfer.
    if (this.hopeful().length <= this.seats - this.winners.length) {
      for (const c of this.hopeful()) this.elect(c);
    }
    return {
      method: 'stv',
      rule: 'scottish',
      seats: this.seats,
      quota: formatFixed5(this.quota),
      winners: this.winners,
      rounds: this.rounds,
      tieBreaks: this.tieBreaks,
      finalVotes: Object.fromEntries(
        this.names.flatMap((name, c) =>
          this.profile.withdrawn[c] ? [] : [[name, formatFixed5(this.vote[c]!)]],
        ),
      ),
      ballots: this.profile.total.toString(),
      blank: this.profile.blank.toString(),
      exhausted: formatFixed5(this.nonTransferable),
      residual: formatFixed5(this.residual),
    };
  }

  private complete(): boolean {
    const left = this.seats - this.winners.length;
    return left <= 0 || this.hopeful().length <= left;
  }

  private hopeful(): number[] {
    return this.names.flatMap((_, c) => (this.state[c] === HOPEFUL ? [c] : []));
  }

  /** r. 47: every continuing candidate at or above the quota, highest vote first. */
  private electByQuota(): void {
    const reached = this.hopeful().filter((c) => this.vote[c]! >= this.quota);
    reached.sort((a, b) =>
      this.vote[a]! > this.vote[b]! ? -1 : this.vote[a]! < this.vote[b]! ? 1 : a - b,
    );
    for (const c of reached) {
      this.elect(c);
      this.pending[c] = true;
    }
  }

  private elect(c: number): void {
    this.state[c] = ELECTED;
    this.continuing[c] = 0;
    this.winners.push(this.names[c]!);
    this.rounds.at(-1)!.elected.push(this.names[c]!);
  }

  /** r. 48–49: transfers the largest surplus (ties: earlier stages, then lot). */
  private transferSurplus(stage: number, pending: number[]): void {
    let top = pending[0]!;
    for (const c of pending) if (this.vote[c]! > this.vote[top]!) top = c;
    const tied = pending.filter((c) => this.vote[c] === this.vote[top]);
    const from = tied.length === 1 ? top : this.decide(stage, tied, 'highest', 'surplus-order');
    this.pending[from] = false;
    const total = this.vote[from]!;
    const surplus = total - this.quota;
    const round = this.openStage(stage, 'surplus', from);
    round.surplus = formatFixed5(surplus);
    // r. 48(3): each paper's new value is truncated on its own, so the sum may fall short.
    const { holder } = this.piles;
    for (let g = 0; g < holder.length; g++) {
      if (holder[g] !== from) continue;
      const weight = (this.weight[g]! * surplus) / total;
      this.weight[g] = weight;
      this.value[g] = this.profile.counts[g]! * weight;
    }
    const moved = this.movePapers(from, 'surplus');
    const lost = surplus - moved.sum;
    this.residual += lost;
    moved.transfer.residual = formatFixed5(lost);
    round.transfers.push(moved.transfer);
    this.vote[from] = this.quota;
  }

  /** r. 50–51: excludes the lowest continuing candidate (ties: earlier stages, then lot). */
  private exclude(stage: number): void {
    const hopeful = this.hopeful();
    let low = hopeful[0]!;
    for (const c of hopeful) if (this.vote[c]! < this.vote[low]!) low = c;
    const tied = hopeful.filter((c) => this.vote[c] === this.vote[low]);
    const out = tied.length === 1 ? low : this.decide(stage, tied, 'lowest', 'exclusion');
    this.state[out] = EXCLUDED;
    this.continuing[out] = 0;
    const round = this.openStage(stage, 'exclusion', out);
    round.excluded.push(this.names[out]!);
    round.transfers.push(this.movePapers(out, 'exclusion').transfer);
    this.vote[out] = 0n;
  }

  private decide(stage: number, tied: number[], choose: 'lowest' | 'highest', reason: string) {
    const { chosen, record } = breakTie({
      tied,
      history: this.history,
      choose,
      names: this.names,
      lot: this.lot,
      method: 'stv-scottish',
      round: stage,
      reason,
    });
    this.tieBreaks.push(record);
    return chosen;
  }

  /** Moves every paper `from` holds to its next continuing preference, or to non-transferable. */
  private movePapers(from: number, kind: 'surplus' | 'exclusion') {
    const moved = transferPile(this.profile, this.piles, from, this.continuing, this.value);
    let sum = moved.exhausted;
    moved.to.forEach((votes, c) => {
      this.vote[c]! += votes;
      sum += votes;
    });
    this.nonTransferable += moved.exhausted;
    const transfer: Transfer = describeTransfer(this.names, from, kind, moved, formatFixed5);
    return { transfer, sum };
  }

  private openStage(round: number, action: StvRound['action'], candidate?: number): StvRound {
    const record: StvRound = {
      round,
      action,
      ...(candidate === undefined ? {} : { candidate: this.names[candidate]! }),
      votes: {},
      elected: [],
      excluded: [],
      transfers: [],
      nonTransferable: '',
      residual: '',
    };
    this.rounds.push(record);
    return record;
  }

  private closeStage(): void {
    const round = this.rounds.at(-1)!;
    round.votes = this.votesInCount();
    round.nonTransferable = formatFixed5(this.nonTransferable);
    round.residual = formatFixed5(this.residual);
    this.history.push(this.vote.slice());
  }

  /** Every elected or continuing candidate's vote, in ballot order. */
  private votesInCount(): Record<string, string> {
    return Object.fromEntries(
      this.names.flatMap((name, c) =>
        this.state[c] === EXCLUDED ? [] : [[name, formatFixed5(this.vote[c]!)]],
      ),
    );
  }
}
