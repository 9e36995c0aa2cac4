--[[
  Appends a group of votes to one shard, atomically, in order. For each vote: idempotent by
  voteId, refused after its poll's close barrier, one counted vote per voter under the poll's
  revote rule, then the next gapless seq and chain hash, and XADD. A group lets the node
  group-commit: one call and one WAIT acknowledge many votes.

  Per-vote work is kept to the XADD and the hash: the indexes are read with one HMGET each
  before the loop and written with one HSET each after it (a vote earlier in the group is
  seen through the same tables, so the result is the same as one vote at a time). Fewer
  commands here also means fewer commands replicated to the replica and written to the AOF.

  A voteId is recorded once in the deployment. Its claim shard (claimShardOf: a hash of the
  voteId) knows it: by its `ids` record when the vote is in that shard too, else by a claim
  (voteId -> "shard fingerprint") in its `claims` hash, which the node wrote there first
  (claim-vote-ids-2.lua) and made durable. A vote whose claim shard is this shard is checked
  here against the claims of votes in other shards, atomically with the append.

  A poll with a roll takes votes only from voters on it: the roll's entries of this shard's
  voters are in this shard's `roll` hash, read here atomically with the append. A weighted
  poll's VoteCast carries the weight read there: the script adds `"weight":<w>` to the
  payload as its last key (canonical JSON sorts keys, and "weight" sorts after every other
  key of a VoteCast), so the log holds the weight the vote was counted with.

  The number of keys varies (the caller passes it): 5 fixed keys, then one voters hash per
  poll in the group, then one roll hash per poll. All keys share the shard's hash tag.

  KEYS[1]         head    hash   seq, hash of the chain head
  KEYS[2]         ids     hash   voteId -> "seq entryId hash fingerprint"
  KEYS[3]         closed  hash   pollId -> seq of the poll's PollClosed barrier
  KEYS[4]         log     stream the shard
  KEYS[5]         claims  hash   voteId -> "shard fingerprint", for votes in other shards whose
                                 voteIds' claim shard is this one
  KEYS[5 + p]     voters  hash   voterId -> seq of the voter's counted vote, for poll p
  KEYS[5 + P + p] roll    hash   voterId -> weight, poll p's roll in this shard (read only when
                                 the poll has a roll)

  ARGV[1]  P, the number of polls in the group; then 3 per poll p = 1..P:
    pollId, revote rule ("reject" | "replace"), roll rule ("" none | "roll" | "weighted")
  then 6 per vote:
    voteId, voterId, p (the vote's poll), fingerprint of the vote's content,
    payload (the VoteCast's canonical JSON without seq and hash: the stored `data` field),
    home: "1" when this shard is the voteId's claim shard (check KEYS[5]), "" when the voteId
    was claimed in its claim shard first

  Returns one string, 5 space-separated fields per vote: code seq entryId hash weight, where
  weight is the voter's weight on a weighted poll's roll and "-" otherwise
     1  appended
     0  replay: the voteId is recorded; its original receipt
    -1  POLL_CLOSED: the poll's barrier is in this shard (seq 0, entryId and hash "-")
    -2  ALREADY_VOTED: seq of the counted vote (entryId and hash "-")
    -3  VOTE_ID_CONFLICT: the voteId was recorded here with other content
    -4  VOTE_ID_CONFLICT: the voteId is claimed by a vote in another shard
    -5  NOT_ON_ROLL: the poll has a roll and the voter is not on it (seq 0, "-" "-" "-")
  A refused vote writes nothing.
]]
--- @include "includes/chain-hash"

-- Lua's unpack() is limited to a few thousand values: long field lists go in slices.
local SLICE = 2000

local function hmget(key, fields)
  if #fields <= SLICE then return redis.call('HMGET', key, unpack(fields)) end
  local values = {}
  for from = 1, #fields, SLICE do
    local part = redis.call('HMGET', key, unpack(fields, from, math.min(from + SLICE - 1, #fields)))
    for i = 1, #part do values[from + i - 1] = part[i] end
  end
  return values
end

local function hset(key, fieldValues)
  for from = 1, #fieldValues, SLICE do
    redis.call('HSET', key, unpack(fieldValues, from, math.min(from + SLICE - 1, #fieldValues)))
  end
end

local head, ids, closed, log, claims = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
-- KEYS[VOTERS + p]: the voters hash of the group's poll p; KEYS[VOTERS + polls + p] its roll.
local VOTERS = 5
local PER_VOTE = 6
local PER_POLL = 3

local chain = redis.call('HMGET', head, 'seq', 'hash')
local seq = tonumber(chain[1]) or 0
local hash = chain[2] or ''

local polls = tonumber(ARGV[1])
local first = 2 + PER_POLL * polls
local pollIds, revote, rollRule = {}, {}, {}
for p = 1, polls do
  local at = 2 + PER_POLL * (p - 1)
  pollIds[p] = ARGV[at]
  revote[p] = ARGV[at + 1]
  rollRule[p] = ARGV[at + 2]
end
local barrier = hmget(closed, pollIds)

-- What the indexes hold for this group's voteIds, claims and voters (false: nothing).
local voteIds, homeIds, votersOf = {}, {}, {}
for p = 1, polls do votersOf[p] = {} end
for a = first, #ARGV, PER_VOTE do
  voteIds[#voteIds + 1] = ARGV[a]
  if ARGV[a + 5] ~= '' then homeIds[#homeIds + 1] = ARGV[a] end
  local p = tonumber(ARGV[a + 2])
  if not barrier[p] then
    local list = votersOf[p]
    list[#list + 1] = ARGV[a + 1]
  end
end
local recordOf = {}
local recorded = hmget(ids, voteIds)
for i = 1, #voteIds do recordOf[voteIds[i]] = recorded[i] end
local claimedElsewhere = {}
-- Where every voteId is the server's (claimed in its own shard), no shard holds a claim.
if #homeIds > 0 and redis.call('EXISTS', claims) == 1 then
  local held = hmget(claims, homeIds)
  for i = 1, #homeIds do claimedElsewhere[homeIds[i]] = held[i] end
end
local counted, weightOf = {}, {}
for p = 1, polls do
  counted[p] = {}
  weightOf[p] = {}
  local list = votersOf[p]
  if #list > 0 then
    local values = hmget(KEYS[VOTERS + p], list)
    for i = 1, #list do counted[p][list[i]] = values[i] end
    if rollRule[p] ~= '' then
      local weights = hmget(KEYS[VOTERS + polls + p], list)
      for i = 1, #list do weightOf[p][list[i]] = weights[i] end
    end
  end
end

local newIds, newVoters = {}, {}
for p = 1, polls do newVoters[p] = {} end
local out = {}
for a = first, #ARGV, PER_VOTE do
  local voteId, voterId, p = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  local fingerprint, payload, home = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local record = recordOf[voteId]
  -- The roll never changes a voter's weight, so a replay reports the weight read now.
  local weight = '-'
  if rollRule[p] == 'weighted' and weightOf[p][voterId] then weight = weightOf[p][voterId] end
  if home ~= '' and claimedElsewhere[voteId] then
    out[#out + 1] = '-4 0 - - -'
  elseif record then
    local rseq, rentry, rhash, rfingerprint = string.match(record, '^(%d+) (%S+) (%x+) (%S+)$')
    local code = 0
    if rfingerprint ~= fingerprint then code = -3 end
    out[#out + 1] = code .. ' ' .. rseq .. ' ' .. rentry .. ' ' .. rhash .. ' ' .. weight
  elseif barrier[p] then
    out[#out + 1] = '-1 0 - - -'
  elseif rollRule[p] ~= '' and not weightOf[p][voterId] then
    out[#out + 1] = '-5 0 - - -'
  elseif counted[p][voterId] and revote[p] == 'reject' then
    out[#out + 1] = '-2 ' .. counted[p][voterId] .. ' - - -'
  else
    seq = seq + 1
    -- One number-to-string conversion per vote, not one per use.
    local s = tostring(seq)
    if weight ~= '-' then
      -- The payload ends with the voterId's value and '}'; the weight is the last key.
      payload = string.sub(payload, 1, -2) .. ',"weight":' .. weight .. '}'
    end
    hash = chainHash(hash, s, payload)
    local entryId = redis.call('XADD', log, '*', 'type', 'VoteCast', 'seq', s, 'hash', hash, 'data', payload)
    local receipt = s .. ' ' .. entryId .. ' ' .. hash
    record = receipt .. ' ' .. fingerprint
    recordOf[voteId] = record
    newIds[#newIds + 1] = voteId
    newIds[#newIds + 1] = record
    counted[p][voterId] = s
    local written = newVoters[p]
    written[#written + 1] = voterId
    written[#written + 1] = s
    out[#out + 1] = '1 ' .. receipt .. ' ' .. weight
  end
end

if #newIds > 0 then
  hset(ids, newIds)
  for p = 1, polls do
    if #newVoters[p] > 0 then hset(KEYS[VOTERS + p], newVoters[p]) end
  end
  redis.call('HSET', head, 'seq', tostring(seq), 'hash', hash)
end
return table.concat(out, ' ')
