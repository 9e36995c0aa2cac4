--[[
  Claims voteIds in the voteId registry before their votes are appended, so a voteId is
  recorded at most once in the whole deployment, not once per shard: the shard of a vote
  depends on its poll and voter, so two votes under one voteId may land in two shards, whose
  own `ids` indexes cannot see each other. A claim binds the voteId to the content of one
  vote (its fingerprint) and names that vote's shard; the append follows only once the claim
  is durable. A claim is never moved to other content: the same vote sent again finds its own
  claim and goes on to its shard (where the append is idempotent), any other vote is refused.

  KEYS[1] registry hash   voteId -> "shard fingerprint" (one partition of the registry)

  ARGV: 2 per voteId: voteId, claim ("shard fingerprint")

  Returns one string, one code per voteId, space-separated:
     1  claimed now
     0  already claimed by this same vote (a retry): go on to the append
    -1  VOTE_ID_CONFLICT: claimed by another vote; nothing written
]]
local registry = KEYS[1]

local out = {}
for a = 1, #ARGV, 2 do
  local voteId, claim = ARGV[a], ARGV[a + 1]
  local held = redis.call('HGET', registry, voteId)
  if not held then
    redis.call('HSET', registry, voteId, claim)
    out[#out + 1] = '1'
  elseif held == claim then
    out[#out + 1] = '0'
  else
    out[#out + 1] = '-1'
  end
end
return table.concat(out, ' ')
