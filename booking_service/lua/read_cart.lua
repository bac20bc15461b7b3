-- An owner's cart: its deadline and the seats it holds right now.
-- KEYS: see _prelude.lua.
-- ARGV[1] owner key.
-- Returns {now ms, deadline ms or -1, extended (1/0), {seat id, seat JSON}...}; a cart
-- whose deadline has passed is empty (its holds are about to be swept).
local now = now_ms()
local cart = live_cart(ARGV[1], now)
if not cart then
  return {now, -1, 0, {}}
end
local seats = {}
for _, pair in ipairs(owner_holds(ARGV[1])) do
  if pair[2].deadline > now then
    seats[#seats + 1] = {pair[1], redis.call('HGET', SEATS, pair[1])}
  end
end
return {now, cart.deadline, cart.extended and 1 or 0, seats}
