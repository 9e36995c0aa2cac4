--[[
  Takes the leader lease if nobody holds it: a new term, the lease for leaseMs, and a
  LeaderElected entry, atomically. At most one holder per term, because INCR hands out each
  term once and SET NX admits one holder at a time.

  KEYS[1] lease     string "nodeId:term", expires after leaseMs
  KEYS[2] term      string the term counter
  KEYS[3] election  stream Candidacy, LeaderElected, LeaderResigned, MembershipChanged

  ARGV[1] nodeId (letters, digits, "_" and "-" only: it is written into JSON as it is)
  ARGV[2] leaseMs

  Returns { code, detail }
     1  acquired: { 1, term }
     0  held: { 0, "nodeId:term" of the holder }
]]
local lease, term, election = KEYS[1], KEYS[2], KEYS[3]
local nodeId, leaseMs = ARGV[1], ARGV[2]

local holder = redis.call('GET', lease)
if holder then
  return { 0, holder }
end
local newTerm = redis.call('INCR', term)
redis.call('SET', lease, nodeId .. ':' .. newTerm, 'PX', leaseMs)
local now = redis.call('TIME')
local at = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local data = '{"at":' .. at .. ',"leaseMs":' .. leaseMs .. ',"nodeId":"' .. nodeId ..
  '","term":' .. newTerm .. ',"type":"LeaderElected","v":1}'
redis.call('XADD', election, 'MAXLEN', '~', 10000, '*', 'type', 'LeaderElected', 'data', data)
return { 1, newTerm }
