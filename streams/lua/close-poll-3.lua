--[[
  Records a poll's close in the catalogue, once. The barriers in the shards are appended
  separately (close-shard), each in its own slot.

  KEYS[1] pollIds      hash   pollId -> "fingerprint\npayload" (the poll must exist)
  KEYS[2] pollsClosed  hash   pollId -> entry id of its PollClosed
  KEYS[3] polls        stream the catalogue

  ARGV[1] pollId
  ARGV[2] payload: JSON of the PollClosed

  Returns { code, entryId }
     1  closed now
     0  already closed
    -1  POLL_NOT_FOUND
]]
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return { -1 }
end
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  return { 0, existing }
end
local entryId = redis.call('XADD', KEYS[3], '*', 'type', 'PollClosed', 'data', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], entryId)
return { 1, entryId }
