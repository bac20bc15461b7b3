-- Extend an owner's cart once, for checkout: every seat's hold, expiry entry and public
-- JSON get the deadline max(now + checkout length, the cart's deadline).
-- KEYS: see _prelude.lua.
-- ARGV[1] owner key, ARGV[2] checkout length (ms).
-- Returns {code, now ms, deadline ms, {seat id, user id, version, seat JSON}...}; code is
--   'ok'       extended (one version bump and one `held` change per seat)
--   'empty'    the owner holds nothing right now
--   'extended' the cart has been extended before (nothing changed)
local owner = ARGV[1]
local now = now_ms()
local cart = live_cart(owner, now)
if not cart then
  return {'empty', now, -1, {}}
end
if cart.extended then
  return {'extended', now, cart.deadline, {}}
end
-- Only holds still running move: unswept lapsed ones of an earlier cart stay lapsed.
local live = {}
for _, pair in ipairs(owner_holds(owner)) do
  if pair[2].deadline > now then
    live[#live + 1] = pair
  end
end
if #live == 0 then
  return {'empty', now, -1, {}}
end
local deadline = math.max(cart.deadline, now + tonumber(ARGV[2]))
redis.call('HSET', CARTS, owner, cjson.encode({deadline = deadline, extended = true}))
local changes = {}
for _, pair in ipairs(live) do
  local seat_id, hold = pair[1], pair[2]
  redis.call('ZADD', EXPIRY, deadline, seat_id .. '|' .. hold.hold_id)
  hold.deadline = deadline
  redis.call('HSET', HOLDS, seat_id, cjson.encode(hold))
  local seat = cjson.decode(redis.call('HGET', SEATS, seat_id))
  local moved = cjson.decode(redis.call('HGET', SEATS, seat_id))
  moved.expires_at = math.floor(deadline / 1000)
  moved.expires_at_ms = deadline
  local version, encoded = store_seat(seat_id, seat, moved)
  changes[#changes + 1] = {seat_id, hold.user_id, version, encoded}
end
return {'ok', now, deadline, changes}
