-- Add several seats to an owner's cart, all or none, until the cart's deadline (a fresh
-- cart's deadline is now + hold length; adding seats never pushes it back).
-- KEYS: see _prelude.lua.
-- ARGV[1] user id shown as held_by, ARGV[2] owner key, ARGV[3] hold length (ms),
-- ARGV[4] the owner's holder tag, ARGV[5] most holds an owner may have at once,
-- ARGV[6] re-hold cooldown (ms, 0 for none), ARGV[7] fresh random hold id prefix,
-- ARGV[8...] the seat ids (distinct).
-- Seats the owner holds already stay as they are; a lapsed, unswept hold on a seat is
-- released first (auto_released), as select does.
-- Returns {code, seat id, now ms, detail, cart size, changes}; code is
--   'ok'   every seat is in the cart; detail is the cart's deadline (ms) and changes the
--          committed changes in version order: {type, seat id, user id, version, JSON}
--          with type 'auto_released' or 'held'
--   'cap'  the cart would exceed the cap (seat id '')
--   or the first seat's refusal as select gives it ('unknown', 'taken', 'booked',
--   'blocked', 'cooldown' with detail the ms to wait, 'not_started', 'closed');
--   cart size is how many seats the owner held before the call.
-- Every refusal leaves everything as it was.
local user_id, owner, hold_ms, holder = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local cap, cooldown, hold_prefix = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local now = now_ms()
local count = hold_count(owner)
local wanted = {}
local adds = 0
for i = 8, #ARGV do
  local seat_id = ARGV[i]
  local code, seat, _, lapsed, detail = check_holdable(seat_id, owner, cooldown, now)
  if code and code ~= 'mine' then
    return {code, seat_id, now, detail, count, {}}
  end
  if code == nil then
    adds = adds + 1
    wanted[#wanted + 1] = {seat_id, seat, lapsed}
  end
end
local after = count + adds
for _, item in ipairs(wanted) do
  if item[3] ~= nil and item[3].owner == owner then
    after = after - 1
  end
end
if after > cap then
  return {'cap', '', now, '', count, {}}
end
local changes = {}
for _, item in ipairs(wanted) do
  local seat_id, seat, lapsed = item[1], item[2], item[3]
  if lapsed then
    local version, encoded = lapse_hold(seat_id, seat, lapsed, cooldown, now)
    changes[#changes + 1] = {'auto_released', seat_id, lapsed.user_id, version, encoded}
  end
end
local deadline = cart_deadline(owner, now, hold_ms)
for i, item in ipairs(wanted) do
  local seat_id, seat = item[1], item[2]
  local version, encoded = take_hold(
    seat_id, seat, owner, user_id, holder, hold_prefix .. '.' .. i, deadline)
  changes[#changes + 1] = {'held', seat_id, user_id, version, encoded}
end
return {'ok', '', now, deadline, count, changes}
