-- Hold a seat for one owner until now + hold length.
-- KEYS: see _prelude.lua (seats, holds, expiry, version).
-- ARGV[1] seat id, ARGV[2] user id shown as held_by, ARGV[3] owner key,
-- ARGV[4] hold length (ms), ARGV[5] fresh random hold id.
-- Returns {code, version, seat JSON, now ms, user id}; code is
--   'ok'      held now by this owner (version bumped, an event is due)
--   'mine'    this owner already holds it: nothing changed
--   'unknown' no such seat;  'taken' held by another owner;  'booked' sold
local seat_id, user_id, owner = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
local seat, hold, code = load_seat(seat_id)
if code then
  return {code, 0, '', now, ''}
end
local current = redis.call('GET', VERSION) or 0
if seat.status == 2 then
  return {'booked', current, cjson.encode(seat), now, seat.booked_by or ''}
end
if seat.status == 1 then
  if hold and hold.owner == owner and now < hold.deadline then
    return {'mine', current, cjson.encode(seat), now, hold.user_id}
  end
  return {'taken', current, cjson.encode(seat), now, seat.held_by or ''}
end
local deadline = now + tonumber(ARGV[4])
local hold_id = ARGV[5]
redis.call('HSET', HOLDS, seat_id,
  cjson.encode({owner = owner, hold_id = hold_id, user_id = user_id, deadline = deadline}))
redis.call('ZADD', EXPIRY, deadline, seat_id .. '|' .. hold_id)
local held = available_seat(seat)
held.status = 1
held.held_by = user_id
held.expires_at = math.floor(deadline / 1000)
held.expires_at_ms = deadline
local version, encoded = store_seat(seat_id, held)
return {'ok', version, encoded, now, user_id}
