-- Take seats out of sale (ARGV[1] '1') or put them back on sale ('0'), all or none.
-- KEYS: see _prelude.lua.
-- ARGV[1] '1' to block, '0' to unblock; ARGV[2...] seat ids.
-- Returns {code, seat id, now ms, {{seat id, version, seat JSON}...}}; code is
--   'ok'      done; the list holds each seat whose flag changed (one version each),
--             seat id is ''
--   'unknown' seat id names no seat of the event;  'held', 'booked' seat id is held or
--             booked, so it cannot be blocked. A refusal changes nothing.
local block = ARGV[1] == '1'
-- Each seat once, however often it is named: a second change would undo the first.
local seats, seen = {}, {}
for i = 2, #ARGV do
  local seat_id = ARGV[i]
  local seat = load_seat(seat_id)
  if not seat then
    return {'unknown', seat_id, 0, {}}
  end
  if block and seat.status == HELD then
    return {'held', seat_id, 0, {}}
  end
  if block and seat.status == BOOKED then
    return {'booked', seat_id, 0, {}}
  end
  if not seen[seat_id] then
    seen[seat_id] = true
    seats[#seats + 1] = seat
  end
end
local changed = {}
for _, seat in ipairs(seats) do
  if seat.status == AVAILABLE and (seat.blocked == true) ~= block then
    local flagged = available_seat(seat)
    flagged.blocked = block or nil
    local version, encoded = store_seat(seat.id, seat, flagged)
    changed[#changed + 1] = {seat.id, version, encoded}
  end
end
return {'ok', '', now_ms(), changed}
