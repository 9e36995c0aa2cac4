import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ClusterSight, StateChanges } from '../../src/cluster/state-changes.ts';
import type { Liveness } from '../../src/domain/membership.ts';

const changes = suite('state changes: one log line with a stable event per change');

/** A StateChanges writing into an array of parsed log lines. */
function recorder() {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { changes: new StateChanges(log), lines };
}

function sight(partial: Partial<ClusterSight> & { live?: Record<string, Liveness> }): ClusterSight {
  return {
    liveness: new Map(Object.entries(partial.live ?? {})),
    leader: partial.leader,
    closedPolls: partial.closedPolls ?? [],
    isFinal: partial.isFinal ?? (() => false),
  };
}

const events = (lines: Record<string, unknown>[]) =>
  lines.map((l) => ({ event: l.event, nodeId: l.nodeId, from: l.from, pollId: l.pollId }));

changes('members going alive → suspect → dead → alive are logged once per change', () => {
  const { changes: c, lines } = recorder();
  c.observe(sight({ live: { n2: 'alive', n3: 'dead' } }));
  c.observe(sight({ live: { n2: 'alive', n3: 'dead' } }));
  c.observe(sight({ live: { n2: 'suspect', n3: 'dead' } }));
  c.observe(sight({ live: { n2: 'dead', n3: 'alive' } }));
  c.observe(sight({ live: { n2: 'alive', n3: 'alive' } }));
  assert.equal(events(lines), [
    // n3, dead from the start (never heard from), is no news; n2 first seen alive is.
    { event: 'member_alive', nodeId: 'n2', from: 'unseen', pollId: undefined },
    { event: 'member_suspect', nodeId: 'n2', from: 'alive', pollId: undefined },
    { event: 'member_dead', nodeId: 'n2', from: 'suspect', pollId: undefined },
    { event: 'member_alive', nodeId: 'n3', from: 'dead', pollId: undefined },
    { event: 'member_alive', nodeId: 'n2', from: 'dead', pollId: undefined },
  ]);
  assert.is(lines[1]!.level, 30, 'suspect is information');
  assert.is(lines[2]!.level, 40, 'dead is a warning');
});

changes('a new leader or term is leader_changed; no live leader is leader_lost', () => {
  const { changes: c, lines } = recorder();
  c.observe(sight({ leader: { nodeId: 'n1', term: 1 } }));
  c.observe(sight({ leader: { nodeId: 'n1', term: 1 } }));
  c.observe(sight({ leader: undefined }));
  c.observe(sight({ leader: undefined }));
  c.observe(sight({ leader: { nodeId: 'n2', term: 2 } }));
  c.observe(sight({ leader: { nodeId: 'n2', term: 3 } }));
  assert.equal(
    lines.map((l) => [l.event, l.nodeId, l.term]),
    [
      ['leader_changed', 'n1', 1],
      ['leader_lost', 'n1', 1],
      ['leader_changed', 'n2', 2],
      ['leader_changed', 'n2', 3],
    ],
  );
  assert.equal(lines[3]!.from, { nodeId: 'n2', term: 2 });
});

changes('a closed poll is logged final once, when its barriers are committed', () => {
  const { changes: c, lines } = recorder();
  let committed = false;
  const asked: string[] = [];
  const isFinal = (pollId: string) => {
    asked.push(pollId);
    return committed && pollId === 'lunch';
  };
  c.observe(sight({ closedPolls: ['lunch', 'dinner'], isFinal }));
  committed = true;
  c.observe(sight({ closedPolls: ['lunch', 'dinner'], isFinal }));
  c.observe(sight({ closedPolls: ['lunch', 'dinner'], isFinal }));
  assert.equal(events(lines), [
    { event: 'poll_final', nodeId: undefined, from: undefined, pollId: 'lunch' },
  ]);
  // A poll known final is not checked again.
  assert.equal(asked, ['lunch', 'dinner', 'lunch', 'dinner', 'dinner']);
});

changes.run();
