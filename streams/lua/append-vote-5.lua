--[[
  Appends one vote to a shard, atomically: idempotent by voteId, refused after the poll's
  close barrier, one counted vote per voter under the poll's revote rule, then the next
  gapless seq and chain hash, XADD, and the indexes.

  KEYS[1] head    hash   seq, hash of the chain head
  KEYS[2] ids     hash   voteId -> "seq entryId hash fingerprint"
  KEYS[3] voters  hash   voterId -> seq of the voter's counted vote (this poll)
  KEYS[4] closed  hash   pollId -> seq of the poll's PollClosed barrier
  KEYS[5] log     stream the shard

  ARGV[1] voteId
  ARGV[2] pollId
  ARGV[3] voterId
  ARGV[4] revote rule: "reject" | "replace"
  ARGV[5] fingerprint of the vote's content (poll, voter, choices)
  ARGV[6] payload: canonical JSON of the VoteCast without seq and hash

  Returns { code, seq, entryId, hash }
     1  appended
     0  replay: the voteId is recorded; its original receipt
    -1  POLL_CLOSED: the poll's barrier is in this shard
    -2  ALREADY_VOTED: { -2, seq of the counted vote }
    -3  VOTE_ID_CONFLICT: the voteId was recorded with other content
]]
local recorded = redis.call('HGET', KEYS[2], ARGV[1])
if recorded then
  local seq, entryId, hash, fingerprint = string.match(recorded, '^(%d+) (%S+) (%x+) (%S+)$')
  if fingerprint ~= ARGV[5] then
    return { -3, tonumber(seq), entryId, hash }
  end
  return { 0, tonumber(seq), entryId, hash }
end

if redis.call('HEXISTS', KEYS[4], ARGV[2]) == 1 then
  return { -1 }
end

local counted = redis.call('HGET', KEYS[3], ARGV[3])
if counted and ARGV[4] == 'reject' then
  return { -2, tonumber(counted) }
end

local head = redis.call('HMGET', KEYS[1], 'seq', 'hash')
local seq = (tonumber(head[1]) or 0) + 1
local hash = redis.sha1hex((head[2] or '') .. '|' .. seq .. '|' .. ARGV[6])
local entryId = redis.call('XADD', KEYS[5], '*', 'type', 'VoteCast', 'seq', seq, 'hash', hash, 'data', ARGV[6])

redis.call('HSET', KEYS[1], 'seq', seq, 'hash', hash)
redis.call('HSET', KEYS[2], ARGV[1], seq .. ' ' .. entryId .. ' ' .. hash .. ' ' .. ARGV[5])
redis.call('HSET', KEYS[3], ARGV[3], seq)
return { 1, seq, entryId, hash }
