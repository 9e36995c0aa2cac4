--[[
  The replication state of the master that serves a shard's slot: whether a vote appended to
  the shard now could be made durable (WAIT 1 succeeds only while a replica is online). Run
  through the shard's key, the call takes the same way as the shard's appends (slot map,
  redirects, a slot nobody serves), so what it meets is what an append would meet. Read-only.

  KEYS[1] head  hash  the shard's head (not read: it routes the call to the shard's master)

  Returns the master's INFO replication section, as text.
]]
return redis.call('INFO', 'replication')
