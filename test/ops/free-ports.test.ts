// Ports for private clusters: free, and never in the range the kernel gives outgoing
// connections, where a client could take one between the check and the bind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ephemeralLow, freeBasePort } from '../../ops/free-ports.ts';

const ports = suite('freeBasePort');

ports(
  'every port and bus port it gives is at least 10000 and below the ephemeral range',
  async () => {
    const low = ephemeralLow();
    assert.ok(low >= 21_000, `ephemeral range from ${low}`);
    for (let i = 0; i < 50; i++) {
      const count = 1 + (i % 9);
      const base = await freeBasePort(count);
      assert.ok(base >= 10_000, `base ${base}`);
      assert.ok(base + count - 1 + 10_000 < low, `bus port ${base + count - 1 + 10_000} ≥ ${low}`);
    }
  },
);

ports(
  'VS_PORT_SLICE i/n: each slice its own ports and bus ports, disjoint from the others',
  async () => {
    const before = process.env.VS_PORT_SLICE;
    try {
      const used: Set<number>[] = [];
      for (const i of [0, 1]) {
        process.env.VS_PORT_SLICE = `${i}/2`;
        const mine = new Set<number>();
        for (let k = 0; k < 40; k++) {
          const count = 1 + (k % 9);
          const base = await freeBasePort(count);
          for (let p = base; p < base + count; p++) {
            assert.ok(p >= 10_000 + i * 5000 && p < 15_000 + i * 5000, `slice ${i}: port ${p}`);
            mine.add(p).add(p + 10_000);
          }
        }
        used.push(mine);
      }
      assert.ok(
        [...used[0]!].every((p) => !used[1]!.has(p)),
        'the slices share a port',
      );
    } finally {
      if (before === undefined) delete process.env.VS_PORT_SLICE;
      else process.env.VS_PORT_SLICE = before;
    }
  },
);

ports.run();
