-- Hold a seat for one owner until now + hold length.
-- KEYS: see _prelude.lua.
-- ARGV[1] seat id, ARGV[2] user id shown as held_by, ARGV[3] owner key,
-- ARGV[4] hold length (ms), ARGV[5] fresh random hold id, ARGV[6] the owner's holder tag,
-- ARGV[7] most holds an owner may have at once, ARGV[8] re-hold cooldown (ms, 0 for none).
-- A hold whose deadline has passed but that no sweep has released yet counts as free:
-- this script releases it first (version v) and then takes the new hold (v + 1).
-- Returns {code, version, seat JSON, now ms, user id, detail}; code is
--   'ok'       held now by this owner (version bumped, an event is due); detail is
--              {version, seat JSON, user id} of the lapsed hold released first, or {}
--   'mine'     this owner already holds it: nothing changed
--   'cooldown' this owner's hold on it lapsed recently; detail: ms until it may again
--   'cap'      this owner already has the most holds allowed
--   'unknown' no such seat;  'taken' held by another owner;  'booked' sold
--   'blocked' taken out of sale by the operator
--   'not_started', 'closed' the event's sale state forbids selling
-- Every refusal leaves everything as it was.
local seat_id, user_id, owner = ARGV[1], ARGV[2], ARGV[3]
local cooldown = tonumber(ARGV[8])
local now = now_ms()
local seat, raw, hold, code = load_seat(seat_id)
if code then
  return {code, 0, '', now, '', 0}
end
code = sale_refusal()
if code then
  return {code, current_version(), raw, now, '', 0}
end
if seat.status == BOOKED then
  return {'booked', current_version(), raw, now, seat.booked_by or '', 0}
end
if seat.blocked == true then
  return {'blocked', current_version(), raw, now, '', 0}
end
local lapsed = nil
if seat.status == HELD then
  if not hold or now < hold.deadline then
    if hold and hold.owner == owner then
      return {'mine', current_version(), raw, now, hold.user_id, 0}
    end
    return {'taken', current_version(), raw, now, seat.held_by or '', 0}
  end
  lapsed = hold
end
local own_lapse = lapsed ~= nil and lapsed.owner == owner
local ready_at = tonumber(redis.call('ZSCORE', COOLDOWN, cooldown_member(owner, seat_id)) or 0)
if own_lapse and cooldown > 0 then
  ready_at = math.max(ready_at, lapsed.deadline + cooldown)
end
if ready_at > now then
  return {'cooldown', current_version(), raw, now, '', ready_at - now}
end
local count = hold_count(owner)
if own_lapse then
  count = count - 1
end
if count >= tonumber(ARGV[7]) then
  return {'cap', current_version(), raw, now, '', 0}
end
local released = {}
if lapsed then
  local version, encoded = lapse_hold(seat_id, seat, lapsed, cooldown, now)
  released = {version, encoded, lapsed.user_id}
end
local deadline = now + tonumber(ARGV[4])
local hold_id = ARGV[5]
redis.call('HSET', HOLDS, seat_id,
  cjson.encode({owner = owner, hold_id = hold_id, user_id = user_id, deadline = deadline}))
redis.call('ZADD', EXPIRY, deadline, seat_id .. '|' .. hold_id)
redis.call('HINCRBY', COUNTS, owner, 1)
local held = available_seat(seat)
held.status = HELD
held.held_by = user_id
held.expires_at = math.floor(deadline / 1000)
held.expires_at_ms = deadline
held.holder = ARGV[6]
local version, encoded = store_seat(seat_id, available_seat(seat), held)
return {'ok', version, encoded, now, user_id, released}
