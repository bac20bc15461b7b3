-- Create the seats that are missing; never touch an existing one.
-- KEYS: see _prelude.lua (seats, holds, expiry, version).
-- ARGV: seat id, row, col, repeated for every seat of the layout.
-- Returns {seats created, venue version}; the version is bumped when any was created.
local created = 0
for i = 1, #ARGV, 3 do
  local seat = {id = ARGV[i], row = tonumber(ARGV[i + 1]), col = tonumber(ARGV[i + 2]), status = 0}
  created = created + redis.call('HSETNX', SEATS, ARGV[i], cjson.encode(seat))
end
local version
if created > 0 then
  version = redis.call('INCR', VERSION)
else
  version = tonumber(redis.call('GET', VERSION) or 0)
end
return {created, version}
