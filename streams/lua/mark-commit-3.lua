--[[
  Appends a commit marker to a shard: the leader's statement that the chain up to seq, whose
  hash is hash, has been applied by a quorum. Fenced by term, so a deposed leader that wakes
  up (SIGSTOP, GC pause, partition) cannot write one; never moves the commit point backwards
  and never past the head of the chain.

  KEYS[1] head   hash   seq, hash of the chain head; committed
  KEYS[2] fence  string highest term that wrote a marker to this shard
  KEYS[3] log    stream the shard

  ARGV[1] term
  ARGV[2] seq
  ARGV[3] hash: the chain hash at seq, as the leader folded it
  ARGV[4] payload: JSON of the CommitMarked

  Returns { code, detail }
     1  appended: { 1, entryId }
     0  nothing to do: seq is at or below the committed seq { 0, committed }
    -1  FENCED: a higher term has marked this shard { -1, fence }
    -2  BEYOND_HEAD: seq is past the chain head { -2, head seq }
    -3  HASH_MISMATCH: seq is the head but hash is not the head's hash { -3, head hash }
]]
local head, fence, log = KEYS[1], KEYS[2], KEYS[3]
local term = tonumber(ARGV[1])
local seq = tonumber(ARGV[2])
local hash, payload = ARGV[3], ARGV[4]

local fenced = tonumber(redis.call('GET', fence) or '0')
if term < fenced then
  return { -1, fenced }
end

local chain = redis.call('HMGET', head, 'seq', 'hash', 'committed')
local headSeq = tonumber(chain[1]) or 0
local committed = tonumber(chain[3]) or 0
if seq <= committed then
  if term > fenced then redis.call('SET', fence, term) end
  return { 0, committed }
end
if seq > headSeq then
  return { -2, headSeq }
end
if seq == headSeq and hash ~= chain[2] then
  return { -3, chain[2] }
end

if term > fenced then redis.call('SET', fence, term) end
redis.call('HSET', head, 'committed', seq)
local entryId = redis.call('XADD', log, '*', 'type', 'CommitMarked', 'data', payload)
return { 1, entryId }
