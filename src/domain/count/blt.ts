// BLT, the ballot exchange format of STV/IRV counting programs (OpenSTV, OpaVote, Droop, ERS):
//
//   <candidates> <seats>
//   [-<candidate> …]                  optional: withdrawn candidates
//   [tie <candidate> …]               optional (Droop): the order in which lots fall
//   <weight> <candidate> … 0          one line per group of identical ballots, 1-based numbers
//   0                                 end of ballots
//   "<name>"                          one per candidate, in order
//   "<title>"
//
// `#` starts a comment that runs to the end of the line. Equal rankings (`1=2`), skipped ranks
// and ballot ids, which some programs accept, are refused with the line they are on.
import { BltSyntaxError, ProfileError } from './count-error.ts';
import { type BallotProfile, compileProfile, type RankedBallot } from './profile.ts';

/** A contest read from, or written as, BLT. */
export interface BltContest {
  title: string;
  seats: number;
  /** Options are the candidates' names, in the file's order. */
  profile: BallotProfile;
  /** From a `[tie …]` line: the order in which lots fall, earliest drawn first. */
  lotOrder?: string[];
}

interface Token {
  text: string;
  quoted: boolean;
  line: number;
}

/**
 * Parses BLT text into a contest. Ballot lines with the same ranking stay separate entries;
 * `1 0` (nothing ranked) is a blank ballot.
 *
 * @throws BltSyntaxError (with the 1-based `line`) for a malformed file: a bad header, a weight
 *   or candidate number that is not a number in range, a candidate twice on one ballot, a
 *   ballot line not ended by `0` on the same line, a missing end-of-ballots `0`, a missing or
 *   unquoted name or title, duplicate names, or text after the title.
 */
export function parseBlt(text: string): BltContest {
  const tokens = tokenize(text);
  let i = 0;
  const lastLine = tokens.at(-1)?.line ?? 1;
  const next = (what: string): Token => {
    const token = tokens[i++];
    if (token === undefined) throw new BltSyntaxError(lastLine, `the file ends before ${what}`);
    return token;
  };
  const whole = (token: Token, what: string, min: number): number => {
    if (token.quoted || !/^\d+$/.test(token.text) || Number(token.text) < min) {
      throw new BltSyntaxError(token.line, `expected ${what}, found ${JSON.stringify(token.text)}`);
    }
    return Number(token.text);
  };

  const candidates = whole(next('the number of candidates'), 'the number of candidates', 1);
  const seats = whole(next('the number of seats'), 'the number of seats', 1);
  const candidate = (token: Token): number => {
    if (/^\d+$/.test(token.text) && !token.quoted) {
      const n = Number(token.text);
      if (n >= 1 && n <= candidates) return n - 1;
    }
    if (token.text.includes('=')) {
      throw new BltSyntaxError(token.line, 'equal rankings ("=") are not supported');
    }
    throw new BltSyntaxError(
      token.line,
      `expected a candidate number from 1 to ${candidates}, found ${JSON.stringify(token.text)}`,
    );
  };

  const withdrawn = new Set<number>();
  let tieOrder: number[] | undefined;
  for (;;) {
    const token = tokens[i];
    if (token === undefined || token.quoted) break;
    if (/^-\d+$/.test(token.text)) {
      const c = candidate({ ...token, text: token.text.slice(1) });
      if (withdrawn.has(c)) throw new BltSyntaxError(token.line, 'a candidate is withdrawn twice');
      withdrawn.add(c);
      i++;
    } else if (token.text.startsWith('[')) {
      i++;
      const words = [token.text.slice(1)];
      while (!words.at(-1)!.endsWith(']')) words.push(next('the closing "]"').text);
      const [option, ...values] = words.join(' ').slice(0, -1).trim().split(/\s+/);
      if (option !== 'tie') {
        throw new BltSyntaxError(token.line, `unsupported option [${option}]`);
      }
      tieOrder = values.map((value) => candidate({ ...token, text: value }));
      if (new Set(tieOrder).size !== candidates || tieOrder.length !== candidates) {
        throw new BltSyntaxError(token.line, '[tie] must list every candidate exactly once');
      }
    } else break;
  }

  const groups: { ranking: number[]; count: bigint }[] = [];
  for (;;) {
    const head = next('the "0" that ends the ballots');
    if (head.text.startsWith('(')) {
      throw new BltSyntaxError(head.line, 'ballot ids ("(…)") are not supported');
    }
    const weight = whole(head, 'a ballot weight or the "0" that ends the ballots', 0);
    if (weight === 0) break;
    const ranking: number[] = [];
    for (;;) {
      const token = tokens[i];
      if (token === undefined || token.line !== head.line) {
        throw new BltSyntaxError(head.line, 'a ballot line must end with 0');
      }
      i++;
      if (token.text === '0') break;
      const c = candidate(token);
      if (ranking.includes(c)) {
        throw new BltSyntaxError(token.line, `candidate ${c + 1} is ranked twice on one ballot`);
      }
      ranking.push(c);
    }
    groups.push({ ranking, count: BigInt(head.text) });
  }

  const names: string[] = [];
  for (let c = 0; c < candidates; c++) names.push(quoted(next(`candidate ${c + 1}'s name`)));
  if (new Set(names).size !== names.length) {
    throw new BltSyntaxError(tokens[i - 1]!.line, 'two candidates have the same name');
  }
  const title = quoted(next('the title'));
  const extra = tokens[i];
  if (extra !== undefined) throw new BltSyntaxError(extra.line, 'unexpected text after the title');

  const ballots: RankedBallot[] = groups.map(({ ranking, count }) => ({
    ranking: ranking.map((c) => names[c]!),
    count,
  }));
  const profile: BallotProfile = { options: names, ballots };
  if (withdrawn.size > 0)
    profile.withdrawn = [...withdrawn].sort((a, b) => a - b).map((c) => names[c]!);
  return {
    title,
    seats,
    profile,
    ...(tieOrder === undefined ? {} : { lotOrder: tieOrder.map((c) => names[c]!) }),
  };
}

/**
 * Writes `contest` as BLT: one line per profile entry (`<count> <candidate numbers> 0`), a
 * withdrawn line and a `[tie …]` line when present, then the quoted names and title.
 *
 * @throws ProfileError for an invalid profile ({@link compileProfile}), or `BAD_NAME` when a
 *   name or the title contains a double quote or a line break, which BLT cannot quote.
 */
export function formatBlt(contest: BltContest): string {
  const { profile } = contest;
  compileProfile(profile);
  const number = new Map(profile.options.map((option, i) => [option, i + 1]));
  const lines = [`${profile.options.length} ${contest.seats}`];
  if (profile.withdrawn?.length) {
    lines.push(profile.withdrawn.map((option) => `-${number.get(option)}`).join(' '));
  }
  if (contest.lotOrder) {
    lines.push(`[tie ${contest.lotOrder.map((option) => number.get(option)).join(' ')}]`);
  }
  for (const ballot of profile.ballots) {
    lines.push([ballot.count, ...ballot.ranking.map((option) => number.get(option)), 0].join(' '));
  }
  lines.push('0');
  for (const text of [...profile.options, contest.title]) {
    if (/["\r\n]/.test(text)) {
      throw new ProfileError('BAD_NAME', `BLT cannot quote ${JSON.stringify(text)}`);
    }
    lines.push(`"${text}"`);
  }
  return `${lines.join('\n')}\n`;
}

function quoted(token: Token): string {
  if (!token.quoted) {
    throw new BltSyntaxError(
      token.line,
      `expected a quoted name, found ${JSON.stringify(token.text)}`,
    );
  }
  return token.text;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\uFEFF') {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '"') {
      const close = text.indexOf('"', i + 1);
      const newline = text.indexOf('\n', i + 1);
      if (close < 0 || (newline >= 0 && newline < close)) {
        throw new BltSyntaxError(line, 'a quoted name is not closed on its line');
      }
      tokens.push({ text: text.slice(i + 1, close), quoted: true, line });
      i = close + 1;
    } else {
      const from = i;
      while (i < text.length && !/[\s"#]/.test(text[i]!)) i++;
      tokens.push({ text: text.slice(from, i), quoted: false, line });
    }
  }
  return tokens;
}
