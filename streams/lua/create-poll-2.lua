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
local pollIds, polls = KEYS[1], KEYS[2]
local pollId, fingerprint, payload = ARGV[1], ARGV[2], ARGV[3]

local stored = redis.call('HGET', pollIds, pollId)
if stored then
  local storedFingerprint, storedPayload = string.match(stored, '^([^\n]*)\n(.*)$')
  if storedFingerprint == fingerprint then
    return { 0, storedPayload }
  end
  return { -1, storedPayload }
end

redis.call('XADD', polls, '*', 'type', 'PollCreated', 'data', payload)
redis.call('HSET', pollIds, pollId, fingerprint .. '\n' .. payload)
return { 1, payload }
