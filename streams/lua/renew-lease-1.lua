--[[
  Extends the leader lease, only for its holder (compare and extend).

  KEYS[1] lease  string "nodeId:term"

  ARGV[1] the holder's value "nodeId:term"
  ARGV[2] leaseMs

  Returns 1 when extended, 0 when the lease is lost (expired or held by another term).
]]
local lease = KEYS[1]
local holder, leaseMs = ARGV[1], ARGV[2]

if redis.call('GET', lease) == holder then
  redis.call('PEXPIRE', lease, leaseMs)
  return 1
end
return 0
