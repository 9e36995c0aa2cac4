--[[
  The counter-only Redis peer's vote (bench/peers/redis-counter-peer.ts): one vote per voter
  and a count per option, atomically in one slot. No log, no chain, no receipt to look up.

  KEYS[1] voters  hash  voterId → voteId of the voter's counted vote
  KEYS[2] counts  hash  optionId → votes counted

  ARGV[1] voterId
  ARGV[2] voteId
  ARGV[3..] the chosen option ids

  Returns false (nil) when counted, or the voteId of the voter's earlier vote.
]]
local voters, counts = KEYS[1], KEYS[2]
local voterId, voteId = ARGV[1], ARGV[2]

if redis.call('HSETNX', voters, voterId, voteId) == 0 then
  return redis.call('HGET', voters, voterId)
end
for i = 3, #ARGV do
  redis.call('HINCRBY', counts, ARGV[i], 1)
end
return false
