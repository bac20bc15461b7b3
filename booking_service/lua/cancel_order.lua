-- Cancel an order: its booked seats become available again; the order is kept, marked.
-- KEYS[1..9]: see _prelude.lua; KEYS[10] orders (hash: reference -> order JSON),
-- KEYS[11] order counts (see read_order_counts.lua).
-- ARGV[1] reference, ARGV[2] cancelled_at (ISO 8601).
-- Returns {code, order JSON, now ms, changes}; code is 'ok' (changes: {seat id, version,
-- JSON} of each released seat, in version order), 'unknown' or 'cancelled' (nothing
-- changed).
local ORDERS = KEYS[10]
local now = now_ms()
local raw = redis.call('HGET', ORDERS, ARGV[1])
if not raw then
  return {'unknown', '', now, {}}
end
local order = cjson.decode(raw)
if order.status == 'cancelled' then
  return {'cancelled', raw, now, {}}
end
local changes = {}
for _, item in ipairs(order.seats) do
  local seat_raw = redis.call('HGET', SEATS, item.id)
  if seat_raw then
    local seat = cjson.decode(seat_raw)
    if seat.status == BOOKED then
      local version, encoded = store_seat(item.id, seat, available_seat(seat))
      changes[#changes + 1] = {item.id, version, encoded}
    end
  end
end
order.status = 'cancelled'
order.cancelled_at = ARGV[2]
local encoded = cjson.encode(order)
redis.call('HSET', ORDERS, ARGV[1], encoded)
count_order(KEYS[11], 'confirmed', -1)
count_order(KEYS[11], 'cancelled', 1)
return {'ok', encoded, now, changes}
