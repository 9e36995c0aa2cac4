--[[
  Raises a shard's fence to a new leader's term before it commits anything, so markers of
  every older term are refused from now on, even in shards the new leader has not marked yet.

  KEYS[1] fence  string highest term allowed to mark this shard

  ARGV[1] term

  Returns the fence after the call.
]]
local fence = KEYS[1]
local term = tonumber(ARGV[1])

local fenced = tonumber(redis.call('GET', fence) or '0')
if term > fenced then
  redis.call('SET', fence, term)
  return term
end
return fenced
