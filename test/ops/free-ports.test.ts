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

ports.run();
