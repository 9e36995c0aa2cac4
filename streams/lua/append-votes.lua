--[[
  Appends a batch of votes to one shard, atomically, in order. For each vote: idempotent by
  voteId, refused after its poll's close barrier, one counted vote per voter under the poll's
  revote rule, then the next gapless seq and chain hash, XADD, and the indexes. A batch lets
  the node group-commit: one call and one WAIT acknowledge many votes.

  The number of keys varies (the caller passes it): 4 fixed keys, then one voters hash per
  poll that appears in the batch. All keys share the shard's hash tag.

  KEYS[1]   head    hash   seq, hash of the chain head
  KEYS[2]   ids     hash   voteId -> "seq entryId hash fingerprint"
  KEYS[3]   closed  hash   pollId -> seq of the poll's PollClosed barrier
  KEYS[4]   log     stream the shard
  KEYS[5..] voters  hash   voterId -> seq of the voter's counted vote, one per poll

  ARGV, 7 per vote:
    voteId, pollId, voterId, revote rule ("reject" | "replace"),
    fingerprint of the vote's content, payload (canonical JSON of the VoteCast without
    seq and hash), index in KEYS of the poll's voters hash

  Returns a flat array, 4 per vote: code, seq, entryId, hash
     1  appended
     0  replay: the voteId is recorded; its original receipt
    -1  POLL_CLOSED: the poll's barrier is in this shard
    -2  ALREADY_VOTED: seq of the counted vote
    -3  VOTE_ID_CONFLICT: the voteId was recorded with other content
]]
local head = redis.call('HMGET', KEYS[1], 'seq', 'hash')
local seq = tonumber(head[1]) or 0
local hash = head[2] or ''
local appended = false
local closed = {}
local out = {}

for i = 1, #ARGV, 7 do
  local voteId, pollId, voterId = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local revote, fingerprint, payload = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local voters = KEYS[tonumber(ARGV[i + 6])]

  local recorded = redis.call('HGET', KEYS[2], voteId)
  if recorded then
    local rseq, rentry, rhash, rfingerprint = string.match(recorded, '^(%d+) (%S+) (%x+) (%S+)$')
    local code = 0
    if rfingerprint ~= fingerprint then code = -3 end
    out[#out + 1] = code
    out[#out + 1] = tonumber(rseq)
    out[#out + 1] = rentry
    out[#out + 1] = rhash
  else
    if closed[pollId] == nil then
      closed[pollId] = redis.call('HEXISTS', KEYS[3], pollId) == 1
    end
    local counted = nil
    if not closed[pollId] then counted = redis.call('HGET', voters, voterId) end
    if closed[pollId] then
      out[#out + 1] = -1; out[#out + 1] = 0; out[#out + 1] = ''; out[#out + 1] = ''
    elseif counted and revote == 'reject' then
      out[#out + 1] = -2; out[#out + 1] = tonumber(counted); out[#out + 1] = ''; out[#out + 1] = ''
    else
      seq = seq + 1
      hash = redis.sha1hex(hash .. '|' .. seq .. '|' .. payload)
      local entryId = redis.call('XADD', KEYS[4], '*', 'type', 'VoteCast', 'seq', seq, 'hash', hash, 'data', payload)
      redis.call('HSET', KEYS[2], voteId, seq .. ' ' .. entryId .. ' ' .. hash .. ' ' .. fingerprint)
      redis.call('HSET', voters, voterId, seq)
      appended = true
      out[#out + 1] = 1; out[#out + 1] = seq; out[#out + 1] = entryId; out[#out + 1] = hash
    end
  end
end

if appended then
  redis.call('HSET', KEYS[1], 'seq', seq, 'hash', hash)
end
return out
