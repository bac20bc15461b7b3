-- Add one seat to an owner's cart: hold it until the cart's deadline (a fresh cart's
-- deadline is now + hold length; adding a seat never pushes it back).
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
local code, seat, raw, lapsed, detail = check_holdable(seat_id, owner, cooldown, now)
if code == 'unknown' then
  return {code, 0, '', now, '', 0}
end
if code == 'cooldown' then
  return {code, current_version(), raw, now, '', detail}
end
if code then
  return {code, current_version(), raw, now, detail, 0}
end
local count = hold_count(owner)
if lapsed ~= nil and lapsed.owner == owner then
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
local deadline = cart_deadline(owner, now, tonumber(ARGV[4]))
local version, encoded = take_hold(seat_id, seat, owner, user_id, ARGV[6], ARGV[5], deadline)
return {'ok', version, encoded, now, user_id, released}
