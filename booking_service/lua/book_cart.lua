-- Book every seat of an owner's cart and write its order, all or nothing.
-- KEYS[1..9]: see _prelude.lua; KEYS[10] orders (hash: reference -> order JSON),
-- KEYS[11] idempotency (hash: "<owner>|<key>" -> reference), KEYS[12] owner_orders
-- (hash: owner -> JSON list of its references), KEYS[13] order counts (see
-- read_order_counts.lua).
-- ARGV[1] owner key, ARGV[2] idempotency key ('' for none), ARGV[3] prices JSON
-- (category -> price), ARGV[4] currency, ARGV[5] buyer JSON {user_id, name, email},
-- ARGV[6] created_at (ISO 8601), ARGV[7] event id, ARGV[8...] candidate references.
-- Returns {code, reference, order JSON, now ms, changes}; code is
--   'ok'        booked; changes are {seat id, user id, version, JSON} in version order
--   'existing'  the idempotency key already made this order (nothing changed but the
--               idempotency entry, rewritten as it was)
--   'empty'     the owner holds nothing; 'expired' a hold has lapsed (reference is
--               its seat id); 'not_started', 'closed' the sale state forbids selling;
--   'collision' every candidate reference is taken (retry with fresh ones)
-- Every other code leaves everything as it was.
local ORDERS, IDEMPOTENCY, OWNER_ORDERS = KEYS[10], KEYS[11], KEYS[12]
local owner, key = ARGV[1], ARGV[2]
local now = now_ms()
local idem = owner .. '|' .. key
if key ~= '' then
  local known = redis.call('HGET', IDEMPOTENCY, idem)
  if known then
    -- Written again (unchanged), so a WAIT after this call confirms that replicas have
    -- the order, however long ago and over whichever connection it was first made.
    redis.call('HSET', IDEMPOTENCY, idem, known)
    return {'existing', known, redis.call('HGET', ORDERS, known), now, {}}
  end
end
local sale = sale_refusal()
if sale then
  return {sale, '', '', now, {}}
end
local held = owner_holds(owner)
if #held == 0 then
  return {'empty', '', '', now, {}}
end
local items = {}
for _, pair in ipairs(held) do
  local seat_id, hold = pair[1], pair[2]
  local seat = cjson.decode(redis.call('HGET', SEATS, seat_id))
  if seat.status ~= HELD or now >= hold.deadline then
    return {'expired', seat_id, '', now, {}}
  end
  items[#items + 1] = {seat_id, seat, hold}
end
-- The order's seats by row, then seat number, then id.
table.sort(items, function(a, b)
  if a[2].row ~= b[2].row then
    return tostring(a[2].row) < tostring(b[2].row)
  end
  if a[2].col ~= b[2].col then
    return tonumber(a[2].col) < tonumber(b[2].col)
  end
  return a[1] < b[1]
end)
local reference = nil
for i = 8, #ARGV do
  if redis.call('HEXISTS', ORDERS, ARGV[i]) == 0 then
    reference = ARGV[i]
    break
  end
end
if not reference then
  return {'collision', '', '', now, {}}
end
local prices = cjson.decode(ARGV[3])
local seats, changes, total = {}, {}, 0
for _, item in ipairs(items) do
  local seat_id, seat, hold = item[1], item[2], item[3]
  local price = prices[seat.category] or 0
  total = total + price
  seats[#seats + 1] = {id = seat_id, category = seat.category, price = price}
  local version, encoded = book_hold(seat_id, seat, hold, now)
  changes[#changes + 1] = {seat_id, hold.user_id, version, encoded}
end
local order = cjson.encode({reference = reference, event_id = ARGV[7], status = 'confirmed',
  seats = seats, total = total, currency = ARGV[4], buyer = cjson.decode(ARGV[5]),
  created_at = ARGV[6], owner = owner})
redis.call('HSET', ORDERS, reference, order)
count_order(KEYS[13], 'confirmed', 1)
if key ~= '' then
  redis.call('HSET', IDEMPOTENCY, idem, reference)
end
local mine = cjson.decode(redis.call('HGET', OWNER_ORDERS, owner) or '[]')
mine[#mine + 1] = reference
redis.call('HSET', OWNER_ORDERS, owner, cjson.encode(mine))
return {'ok', reference, order, now, changes}
