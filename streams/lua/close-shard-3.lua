--[[
  Appends a poll's close barrier to one shard's chain, once. Votes of the poll that come
  after it are refused by append-vote, and never counted by the fold.

  KEYS[1] head    hash   seq, hash of the chain head
  KEYS[2] closed  hash   pollId -> seq of the poll's barrier
  KEYS[3] log     stream the shard

  ARGV[1] pollId
  ARGV[2] payload: canonical JSON of the PollClosed without seq and hash

  Returns { code, seq }
     1  the barrier was appended at seq
     0  the barrier was already there, at seq
]]
--- @include "includes/chain-hash"

local head, closed, log = KEYS[1], KEYS[2], KEYS[3]
local pollId, payload = ARGV[1], ARGV[2]

local existing = redis.call('HGET', closed, pollId)
if existing then
  return { 0, tonumber(existing) }
end

local chain = redis.call('HMGET', head, 'seq', 'hash')
local seq = (tonumber(chain[1]) or 0) + 1
local hash = chainHash(chain[2] or '', seq, payload)
redis.call('XADD', log, '*', 'type', 'PollClosed', 'seq', seq, 'hash', hash, 'data', payload)
redis.call('HSET', head, 'seq', seq, 'hash', hash)
redis.call('HSET', closed, pollId, seq)
return { 1, seq }
