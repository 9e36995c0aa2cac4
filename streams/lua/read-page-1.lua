--[[
  Reads one page of a shard's log for a fold: what XRANGE returns, packed as one string per
  entry. A cold fold is bound by the node's one thread, and parsing XRANGE's reply (a nested
  array of nine strings per entry) costs the node more than folding the entry; packed, the
  node parses one string per entry and Redis, on another core, does the packing. Read-only.

  KEYS[1] log  stream  the shard

  ARGV[1] the entry id to read after (exclusive); "0-0" for the start of the log
  ARGV[2] the page size

  Returns an array, one string per entry, in stream order:
    "<id> <t> <s> <h> <d>\n<type><seq><hash><data>"
  where t, s, h, d are the byte lengths of the fields type, seq, hash and data, or "-" for
  a field the entry lacks (other fields are not read by the fold and are left out). An entry
  with one of these fields twice, or an odd field list, comes back as "<id> !": the reader
  takes that one through XRANGE and reports it as the fold would any malformed entry.
]]
local log = KEYS[1]
local after, count = ARGV[1], ARGV[2]

local entries = redis.call('XRANGE', log, '(' .. after, '+', 'COUNT', count)
local out = {}
for i = 1, #entries do
  local id, f = entries[i][1], entries[i][2]
  local t, s, h, d
  local odd = #f % 2 == 1
  for j = 1, #f - 1, 2 do
    local k, v = f[j], f[j + 1]
    if k == 'type' then odd = odd or t ~= nil; t = v
    elseif k == 'seq' then odd = odd or s ~= nil; s = v
    elseif k == 'hash' then odd = odd or h ~= nil; h = v
    elseif k == 'data' then odd = odd or d ~= nil; d = v
    end
  end
  if odd then
    out[i] = id .. ' !'
  else
    out[i] = id .. ' ' .. (t and #t or '-') .. ' ' .. (s and #s or '-') .. ' ' .. (h and #h or '-')
      .. ' ' .. (d and #d or '-') .. '\n' .. (t or '') .. (s or '') .. (h or '') .. (d or '')
  end
end
return out
