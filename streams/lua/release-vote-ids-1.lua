--[[
  Releases the claims of votes that their shard refused (POLL_CLOSED, ALREADY_VOTED): such a
  vote is not recorded, and will never be (a close barrier and a counted voter under the
  `reject` rule are permanent), so its voteId is free for another vote. A claim is removed
  only if it still names the refused vote; losing a release (a failover) leaves the voteId
  bound to that refused vote, which is harmless.

  KEYS[1] registry hash   voteId -> "shard fingerprint"

  ARGV: 2 per voteId: voteId, claim ("shard fingerprint") of the refused vote

  Returns the number of claims removed.
]]
local registry = KEYS[1]

local removed = 0
for a = 1, #ARGV, 2 do
  local voteId, claim = ARGV[a], ARGV[a + 1]
  if redis.call('HGET', registry, voteId) == claim then
    redis.call('HDEL', registry, voteId)
    removed = removed + 1
  end
end
return removed
