--[[
  Adds a poll to the catalogue, once per poll id.

  KEYS[1] pollIds  hash   pollId -> "fingerprint\npayload"
  KEYS[2] polls    stream the catalogue

  ARGV[1] pollId
  ARGV[2] fingerprint of the definition (everything but createdAt)
  ARGV[3] payload: JSON of the PollCreated

  Returns { code, payload }
     1  created; the payload given
     0  an identical poll exists; its stored payload
    -1  POLL_EXISTS: a different poll has this id; its stored payload
]]
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then
  local fingerprint, payload = string.match(stored, '^([^\n]*)\n(.*)$')
  if fingerprint == ARGV[2] then
    return { 0, payload }
  end
  return { -1, payload }
end

redis.call('XADD', KEYS[2], '*', 'type', 'PollCreated', 'data', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\n' .. ARGV[3])
return { 1, ARGV[3] }
