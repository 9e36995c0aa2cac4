--[[
  Extends the leader lease, only for its holder (compare and extend).

  KEYS[1] lease  string "nodeId:term"

  ARGV[1] the holder's value "nodeId:term"
  ARGV[2] leaseMs

  Returns 1 when extended, 0 when the lease is lost (expired or held by another term).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
