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
local pollIds, pollsClosed, polls = KEYS[1], KEYS[2], KEYS[3]
local pollId, payload = ARGV[1], ARGV[2]

if redis.call('HEXISTS', pollIds, pollId) == 0 then
  return { -1 }
end
local existing = redis.call('HGET', pollsClosed, pollId)
if existing then
  return { 0, existing }
end
local entryId = redis.call('XADD', polls, '*', 'type', 'PollClosed', 'data', payload)
redis.call('HSET', pollsClosed, pollId, entryId)
return { 1, entryId }
