--[[
  Claims voteIds before their votes are appended, so a voteId is recorded at most once in the
  whole deployment, not once per shard: the shard of a vote depends on its poll and voter, so
  two votes under one voteId may land in two shards, whose own `ids` indexes cannot see each
  other. Every voteId has a claim shard (a hash of the voteId alone), which knows the voteId
  either by its `ids` record (a vote in that shard, claimed by the append script itself) or by
  a claim here: the voteId bound to the content of one vote in another shard. The node appends
  the vote only once its claim is durable. A claim never moves to other content: the same vote
  sent again finds its own claim and goes on to its shard (where the append is idempotent);
  any other vote is refused.

  KEYS[1] claims  hash  voteId -> "shard fingerprint" (votes in other shards)
  KEYS[2] ids     hash  voteId -> "seq entryId hash fingerprint" (votes in this shard)

  ARGV: 2 per voteId: voteId, claim ("shard fingerprint" of a vote in another shard)

  Returns one string, one code per voteId, space-separated:
     1  claimed now
     0  already claimed by this same vote (a retry): go on to the append
    -1  VOTE_ID_CONFLICT: claimed by another vote, or recorded in this shard; nothing written
]]
local claims, ids = KEYS[1], KEYS[2]

local out = {}
for a = 1, #ARGV, 2 do
  local voteId, claim = ARGV[a], ARGV[a + 1]
  local held = redis.call('HGET', claims, voteId)
  if held == claim then
    out[#out + 1] = '0'
  elseif held or redis.call('HEXISTS', ids, voteId) == 1 then
    out[#out + 1] = '-1'
  else
    redis.call('HSET', claims, voteId, claim)
    out[#out + 1] = '1'
  end
end
return table.concat(out, ' ')
