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
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  return { 0, tonumber(existing) }
end

local head = redis.call('HMGET', KEYS[1], 'seq', 'hash')
local seq = (tonumber(head[1]) or 0) + 1
local hash = redis.sha1hex((head[2] or '') .. '|' .. seq .. '|' .. ARGV[2])
redis.call('XADD', KEYS[3], '*', 'type', 'PollClosed', 'seq', seq, 'hash', hash, 'data', ARGV[2])
redis.call('HSET', KEYS[1], 'seq', seq, 'hash', hash)
redis.call('HSET', KEYS[2], ARGV[1], seq)
return { 1, seq }
