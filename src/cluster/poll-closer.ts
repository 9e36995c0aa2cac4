// The leader closes polls whose closesAt has passed on the cluster clock: PollClosed in the
// catalogue and a barrier in every shard. Votes after a shard's barrier are refused there, on
// every node, whatever each node's clock says.

import type { PollCatalogue } from '../log/poll-catalogue.ts';
import { closePoll } from '../log/poll-store.ts';
import type { LogTarget } from '../log/redis-client.ts';
import type { Logger } from '../logger.ts';

export class PollCloser {
  readonly #closing = new Set<string>();

  constructor(
    private readonly target: LogTarget,
    private readonly catalogue: PollCatalogue,
    private readonly log: Logger,
  ) {}

  /** Closes every open poll whose closesAt is at or before `now` (cluster clock). */
  closeDue(now: number): void {
    for (const { poll, closed } of this.catalogue.list()) {
      if (
        closed ||
        poll.closesAt === undefined ||
        poll.closesAt > now ||
        this.#closing.has(poll.id)
      )
        continue;
      this.#closing.add(poll.id);
      closePoll(this.target, poll.id, 'schedule', Math.round(now))
        .then(() => this.catalogue.refresh())
        .then(() =>
          this.log.info(
            { event: 'poll_closed', pollId: poll.id, by: 'schedule' },
            `poll ${poll.id} closed on schedule`,
          ),
        )
        .catch((error: Error) =>
          this.log.warn(
            { pollId: poll.id, err: error.message },
            'scheduled close failed; retrying',
          ),
        )
        .finally(() => this.#closing.delete(poll.id));
    }
  }
}
