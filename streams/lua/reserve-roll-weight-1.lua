--[[
  Reserves weight for voters about to be added to a weighted poll's roll, so that the roll,
  which is spread over the shards, never weighs more than the bound in total (2^53 - 1: every
  sum the fold keeps stays exact). A reservation is never given back: a request that fails
  after it leaves the total higher than the roll, which only makes the bound stricter.

  KEYS[1] rollWeights hash pollId -> total weight reserved

  ARGV[1] pollId
  ARGV[2] weight to add (a decimal integer)
  ARGV[3] the bound (a decimal integer)

  Returns { code, total }
     1  reserved: total is the poll's reserved weight now
    -1  TOO_HEAVY: nothing reserved; total is the poll's reserved weight
]]
local rollWeights = KEYS[1]
local pollId, add, bound = ARGV[1], ARGV[2], ARGV[3]

local total = tonumber(redis.call('HGET', rollWeights, pollId) or '0')
-- Doubles hold every integer up to 2^53 exactly; a sum past it is past the bound however it
-- rounds.
if total + tonumber(add) > tonumber(bound) then return { -1, total } end
return { 1, redis.call('HINCRBY', rollWeights, pollId, add) }
