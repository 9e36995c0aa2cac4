--[[
  Gives the lease up on a graceful stop, so a successor need not wait for it to expire.

  KEYS[1] lease     string "nodeId:term"
  KEYS[2] election  stream

  ARGV[1] the holder's value "nodeId:term"
  ARGV[2] payload: JSON of the LeaderResigned

  Returns 1 when released, 0 when the lease was not this holder's any more.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', 10000, '*', 'type', 'LeaderResigned', 'data', ARGV[2])
return 1
