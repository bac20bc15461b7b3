-- Give back a seat that the caller holds.
-- KEYS: see _prelude.lua (seats, holds, expiry, version).
-- ARGV[1] seat id, ARGV[2] owner key.
-- Returns {code, version, seat JSON, now ms, user id}; code is
--   'ok' available again (version bumped, an event is due), or one of
--   'unknown', 'booked', 'not_held', 'not_yours', 'expired' (nothing changed)
local seat_id, owner = ARGV[1], ARGV[2]
local now = now_ms()
local seat, hold, code = load_seat(seat_id)
if code then
  return {code, 0, '', now, ''}
end
code = check_owner(seat, hold, owner, now)
if code then
  return {code, redis.call('GET', VERSION) or 0, cjson.encode(seat), now, ''}
end
drop_hold(seat_id, hold)
local version, encoded = store_seat(seat_id, available_seat(seat))
return {'ok', version, encoded, now, hold.user_id}
