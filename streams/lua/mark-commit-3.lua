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
local term = tonumber(ARGV[1])
local seq = tonumber(ARGV[2])

local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if term < fence then
  return { -1, fence }
end

local head = redis.call('HMGET', KEYS[1], 'seq', 'hash', 'committed')
local headSeq = tonumber(head[1]) or 0
local committed = tonumber(head[3]) or 0
if seq <= committed then
  if term > fence then redis.call('SET', KEYS[2], term) end
  return { 0, committed }
end
if seq > headSeq then
  return { -2, headSeq }
end
if seq == headSeq and ARGV[3] ~= head[2] then
  return { -3, head[2] }
end

if term > fence then redis.call('SET', KEYS[2], term) end
redis.call('HSET', KEYS[1], 'committed', seq)
local entryId = redis.call('XADD', KEYS[3], '*', 'type', 'CommitMarked', 'data', ARGV[4])
return { 1, entryId }
