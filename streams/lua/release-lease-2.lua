--[[
  Gives the lease up on a graceful stop, so a successor need not wait for it to expire.

  KEYS[1] lease     string "nodeId:term"
  KEYS[2] election  stream

  ARGV[1] the holder's value "nodeId:term"
  ARGV[2] payload: JSON of the LeaderResigned

  Returns 1 when released, 0 when the lease was not this holder's any more.
]]
local lease, election = KEYS[1], KEYS[2]
local holder, payload = ARGV[1], ARGV[2]

if redis.call('GET', lease) ~= holder then
  return 0
end
redis.call('DEL', lease)
redis.call('XADD', election, 'MAXLEN', '~', 10000, '*', 'type', 'LeaderResigned', 'data', payload)
return 1
