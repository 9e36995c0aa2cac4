--[[
  Raises a shard's fence to a new leader's term before it commits anything, so markers of
  every older term are refused from now on, even in shards the new leader has not marked yet.

  KEYS[1] fence  string highest term allowed to mark this shard

  ARGV[1] term

  Returns the fence after the call.
]]
local fence = tonumber(redis.call('GET', KEYS[1]) or '0')
local term = tonumber(ARGV[1])
if term > fence then
  redis.call('SET', KEYS[1], term)
  return term
end
return fence
