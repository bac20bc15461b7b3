-- Create the seats that are missing; never touch an existing one's state.
-- KEYS: see _prelude.lua.
-- ARGV: seat id, row, col, category, repeated for every seat of the layout.
-- Returns {seats created, venue version}; the version is bumped when any was created.
-- The digest (and what else derives from the seats) is rebuilt first if it is missing.
local high, low = load_digest()
local created = 0
for i = 1, #ARGV, 4 do
  local seat = {id = ARGV[i], row = tonumber(ARGV[i + 1]), col = tonumber(ARGV[i + 2]),
    status = AVAILABLE, category = ARGV[i + 3]}
  if redis.call('HSETNX', SEATS, ARGV[i], encode_seat(seat)) == 1 then
    created = created + 1
    high, low = xor_seat(high, low, seat)
  end
end
local version
if created > 0 then
  write_digest(high, low)
  version = redis.call('INCR', VERSION)
else
  version = tonumber(current_version())
end
return {created, version}
