--[[
  Adds voters to a poll's roll in one shard, atomically with the RollChanged entry that
  commits to them in the shard's chain: the roll index and the log never disagree. Refused
  after the poll's close barrier in this shard, and when any of the voters is on the roll
  already (the caller read the roll first and left those out: one that is there now was added
  by another request meanwhile, and the caller reads again). Roll entries never change.

  KEYS[1] head    hash   seq, hash of the chain head
  KEYS[2] closed  hash   pollId -> seq of the poll's barrier
  KEYS[3] log     stream the shard
  KEYS[4] roll    hash   voterId -> weight: the poll's roll in this shard

  ARGV[1] pollId
  ARGV[2] payload: canonical JSON of the RollChanged without seq and hash (its count, weight
          and sha256 are the node's commitment to exactly the voters below)
  ARGV[3…] voterId, weight (a decimal integer), per voter

  Returns { code, detail }
     1  added: detail is the RollChanged's seq
    -1  POLL_CLOSED: the poll's barrier is in this shard (detail: its seq)
    -2  ON_ROLL: detail is how many of the voters are on the roll already
  A refusal writes nothing.
]]
--- @include "includes/chain-hash"

local head, closed, log, roll = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local pollId, payload = ARGV[1], ARGV[2]

-- Lua's unpack() is limited to a few thousand values: long field lists go in slices.
local SLICE = 2000

local barrier = redis.call('HGET', closed, pollId)
if barrier then return { -1, tonumber(barrier) } end

local voters = {}
for a = 3, #ARGV, 2 do voters[#voters + 1] = ARGV[a] end
local present = 0
for from = 1, #voters, SLICE do
  local part = redis.call('HMGET', roll, unpack(voters, from, math.min(from + SLICE - 1, #voters)))
  for i = 1, #part do
    if part[i] then present = present + 1 end
  end
end
if present > 0 then return { -2, present } end

for from = 3, #ARGV, SLICE do
  redis.call('HSET', roll, unpack(ARGV, from, math.min(from + SLICE - 1, #ARGV)))
end
local chain = redis.call('HMGET', head, 'seq', 'hash')
local seq = (tonumber(chain[1]) or 0) + 1
local hash = chainHash(chain[2] or '', seq, payload)
redis.call('XADD', log, '*', 'type', 'RollChanged', 'seq', seq, 'hash', hash, 'data', payload)
redis.call('HSET', head, 'seq', seq, 'hash', hash)
return { 1, seq }
