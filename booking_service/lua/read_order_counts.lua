-- The event's orders counted by status, without reading every order each time.
-- KEYS[1] orders (hash: reference -> order JSON), KEYS[2] order counts (hash: status ->
-- how many orders have it). The first read counts the orders into KEYS[2]; from then on
-- book_cart and cancel_order keep it up to date in the same scripts that change orders.
-- Returns the counts as a flat {status, count, ...} list, 'confirmed' and 'cancelled'
-- always among them.
if redis.call('EXISTS', KEYS[2]) == 0 then
  local counts = {confirmed = 0, cancelled = 0}
  for _, raw in ipairs(redis.call('HVALS', KEYS[1])) do
    local status = cjson.decode(raw).status
    counts[status] = (counts[status] or 0) + 1
  end
  for status, n in pairs(counts) do
    redis.call('HSET', KEYS[2], status, n)
  end
end
return redis.call('HGETALL', KEYS[2])
