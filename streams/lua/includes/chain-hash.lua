--[[
  The chain hash of a shard entry, for every script that extends a shard's chain (included by
  the loader, src/log/scripts.ts, where a script says `--- @include "includes/chain-hash"`):

    chainHash(prevHash, seq, payload) = sha1 hex of prevHash .. "|" .. seq .. "|" .. payload

  prevHash  the hash of the entry before ("" before the first entry of a shard)
  seq       the entry's seq, a string or a number (Lua writes a number as %.14g, so the
            two agree for every seq below 10^14)
  payload   the entry's `data` field: its canonical JSON without seq and hash

  Its TypeScript twin is chainHash in src/domain/chain.ts; test/log/chain-hash.test.ts holds
  the two equal on the same inputs. The log's format depends on it: never change one alone.
]]
local function chainHash(prevHash, seq, payload)
  return redis.sha1hex(prevHash .. '|' .. seq .. '|' .. payload)
end
