-- How far the oldest deadline in the expiry index is behind Redis's clock (the clock of
-- the node that holds the event, as for every deadline).
-- KEYS: see _prelude.lua.
-- Returns the overdue time in ms: 0 when no deadline has passed or none is set.
local oldest = redis.call('ZRANGE', EXPIRY, 0, 0, 'WITHSCORES')
if not oldest[2] then
  return 0
end
return math.max(0, now_ms() - tonumber(oldest[2]))
