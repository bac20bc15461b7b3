-- Helpers prepended to every script of this folder (scripts stay self-contained
-- once loaded: Redis sees one body per operation).
--
-- Keys every script receives, all sharing the event's hash tag (event:{<id>}:...):
--   KEYS[1] seats    hash: seat id -> public seat JSON (what clients see)
--   KEYS[2] holds    hash: seat id -> private hold JSON {owner, hold_id, user_id, deadline}
--   KEYS[3] expiry   sorted set: "<seat id>|<hold id>" scored by deadline (unix ms)
--   KEYS[4] version  counter: grows by one with every seat change
--   KEYS[5] counts   hash: owner key -> how many holds it has (absent when none)
--   KEYS[6] cooldown sorted set: "<owner key>|<seat id>" scored by when that owner may
--                    hold that seat again after its hold on it lapsed (unix ms)
--   KEYS[7] digest   the venue digest: 16 hex digits (see shared/venue_digest.py)
--   KEYS[8] state    the event's sale state: 'scheduled', 'on_sale' or 'closed'
--                    (absent counts as on sale)
--   KEYS[9] carts    hash: owner key -> cart JSON {deadline (unix ms), extended}: the one
--                    deadline of all the owner's holds (absent when it holds none)

local SEATS, HOLDS, EXPIRY, VERSION = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local COUNTS, COOLDOWN, DIGEST, STATE = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local CARTS = KEYS[9]

-- Seat statuses, as the wire carries them (shared/constants.py SeatStatus).
local AVAILABLE, HELD, BOOKED = 0, 1, 2

-- The public seat JSON's keys per status, in the seed's order (its scripts grep them),
-- then the seat's price category and, only on a seat taken out of sale, `blocked`.
local SEAT_KEYS = {
  [AVAILABLE] = {'id', 'row', 'col', 'status', 'category', 'blocked'},
  [HELD] = {'id', 'row', 'col', 'status', 'held_by', 'expires_at', 'expires_at_ms', 'holder',
    'category'},
  [BOOKED] = {'id', 'row', 'col', 'status', 'booked_by', 'booked_at', 'category'},
}

-- Redis's own clock, so every booking process agrees on time.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The public seat JSON with its keys in SEAT_KEYS order (a key without a value is left
-- out: seats written before `holder` existed have none; `blocked` appears only as true).
local function encode_seat(seat)
  local parts = {}
  for _, key in ipairs(SEAT_KEYS[seat.status]) do
    local value = seat[key]
    if value ~= nil and value ~= cjson.null and value ~= false then
      parts[#parts + 1] = '"' .. key .. '":' .. cjson.encode(value)
    end
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

-- One seat's share of the digest as two 32-bit words: the first 8 bytes of
-- sha1("<seat id>|<status>|<holder if held, else ''>"), with "|b" appended while the
-- seat is blocked.
local function seat_share(seat)
  local holder = ''
  if seat.status == HELD and type(seat.holder) == 'string' then
    holder = seat.holder
  end
  local text = seat.id .. '|' .. seat.status .. '|' .. holder
  if seat.blocked == true then
    text = text .. '|b'
  end
  local hex = redis.sha1hex(text)
  return tonumber(string.sub(hex, 1, 8), 16), tonumber(string.sub(hex, 9, 16), 16)
end

local function xor_seat(high, low, seat)
  local share_high, share_low = seat_share(seat)
  return bit.bxor(high, share_high), bit.bxor(low, share_low)
end

local function write_digest(high, low)
  redis.call('SET', DIGEST, bit.tohex(high, 8) .. bit.tohex(low, 8))
end

-- Every script of this version keeps the digest key, so its absence means the venue was
-- last written by an older version (or the key was lost): rebuild what derives from the
-- seats and holds, i.e. the digest, the per-owner counts and each seat's key order.
local function rebuild_derived()
  local high, low = 0, 0
  local flat = redis.call('HGETALL', SEATS)
  for i = 1, #flat, 2 do
    local seat = cjson.decode(flat[i + 1])
    local encoded = encode_seat(seat)
    if encoded ~= flat[i + 1] then
      redis.call('HSET', SEATS, flat[i], encoded)
    end
    high, low = xor_seat(high, low, seat)
  end
  redis.call('DEL', COUNTS)
  local holds = redis.call('HVALS', HOLDS)
  for _, raw in ipairs(holds) do
    redis.call('HINCRBY', COUNTS, cjson.decode(raw).owner, 1)
  end
  write_digest(high, low)
  return high, low
end

-- The digest as two 32-bit words, rebuilt first when its key is missing.
local function load_digest()
  local hex = redis.call('GET', DIGEST)
  if not hex then
    return rebuild_derived()
  end
  return tonumber(string.sub(hex, 1, 8), 16), tonumber(string.sub(hex, 9, 16), 16)
end

local function read_digest()
  local high, low = load_digest()
  return bit.tohex(high, 8) .. bit.tohex(low, 8)
end

-- Replaces a seat's public JSON, moves the digest from `old` to `new` and bumps the
-- venue version; returns the new version and JSON.
local function store_seat(seat_id, old, new)
  local high, low = load_digest()
  high, low = xor_seat(high, low, old)
  high, low = xor_seat(high, low, new)
  write_digest(high, low)
  local encoded = encode_seat(new)
  redis.call('HSET', SEATS, seat_id, encoded)
  return redis.call('INCR', VERSION), encoded
end

-- The seat as available: its place, category and block kept, any hold or booking gone.
local function available_seat(seat)
  return {id = seat.id, row = seat.row, col = seat.col, status = AVAILABLE,
    category = seat.category, blocked = seat.blocked}
end

-- Why the event's sale state forbids selling right now ('not_started', 'closed'), or nil.
local function sale_refusal()
  local state = redis.call('GET', STATE)
  if state == 'scheduled' then
    return 'not_started'
  end
  if state == 'closed' then
    return 'closed'
  end
  return nil
end

-- How many holds `owner` has.
local function hold_count(owner)
  return tonumber(redis.call('HGET', COUNTS, owner) or 0)
end

-- Ends a hold: forgets it, its deadline entry and its place in its owner's count; the
-- owner's cart goes with its last hold.
local function drop_hold(seat_id, hold)
  redis.call('HDEL', HOLDS, seat_id)
  redis.call('ZREM', EXPIRY, seat_id .. '|' .. hold.hold_id)
  if redis.call('HINCRBY', COUNTS, hold.owner, -1) <= 0 then
    redis.call('HDEL', COUNTS, hold.owner)
    redis.call('HDEL', CARTS, hold.owner)
  end
end

local function cooldown_member(owner, seat_id)
  return owner .. '|' .. seat_id
end

-- Releases a hold whose deadline has passed (at `now`); its owner may take the seat
-- again only `cooldown` ms after that deadline. Returns the new version and seat JSON.
local function lapse_hold(seat_id, seat, hold, cooldown, now)
  drop_hold(seat_id, hold)
  if hold.deadline + cooldown > now then
    redis.call('ZADD', COOLDOWN, hold.deadline + cooldown, cooldown_member(hold.owner, seat_id))
  end
  return store_seat(seat_id, seat, available_seat(seat))
end

-- Loads a seat, its stored JSON and its hold; code is nil when the caller may go on.
local function load_seat(seat_id)
  local raw = redis.call('HGET', SEATS, seat_id)
  if not raw then
    return nil, nil, nil, 'unknown'
  end
  local hold_raw = redis.call('HGET', HOLDS, seat_id)
  local hold = hold_raw and cjson.decode(hold_raw) or nil
  return cjson.decode(raw), raw, hold, nil
end

local function current_version()
  return redis.call('GET', VERSION) or 0
end

-- Checks that `owner` holds the seat right now; returns an error code or nil.
local function check_owner(seat, hold, owner, now)
  if seat.status == BOOKED then
    return 'booked'
  end
  if seat.status ~= HELD or not hold then
    return 'not_held'
  end
  if hold.owner ~= owner then
    return 'not_yours'
  end
  if now >= hold.deadline then
    return 'expired'
  end
  return nil
end

-- Loads a seat that `owner` must hold right now. Returns nil, seat, hold, now when the
-- caller may go on; otherwise the refusal {code, version, seat JSON, now, ''} to return.
local function load_owned(seat_id, owner)
  local now = now_ms()
  local seat, raw, hold, code = load_seat(seat_id)
  if code then
    return {code, 0, '', now, ''}
  end
  code = check_owner(seat, hold, owner, now)
  if code then
    return {code, current_version(), raw, now, ''}
  end
  return nil, seat, hold, now
end

-- The owner's cart {deadline, extended} while its deadline is ahead of `now`, else nil.
local function live_cart(owner, now)
  local raw = redis.call('HGET', CARTS, owner)
  if not raw then
    return nil
  end
  local cart = cjson.decode(raw)
  if cart.deadline <= now then
    return nil
  end
  return cart
end

-- The deadline a seat added to the owner's cart gets: the live cart's (never pushed
-- back), or, starting a fresh cart, now + hold length.
local function cart_deadline(owner, now, hold_ms)
  local cart = live_cart(owner, now)
  if cart then
    return cart.deadline, cart.extended
  end
  local deadline = now + hold_ms
  redis.call('HSET', CARTS, owner, cjson.encode({deadline = deadline, extended = false}))
  return deadline, false
end

-- Whether `owner` may add the seat to its cart at `now`. Returns code, seat, raw, lapsed,
-- detail: code nil means go on (lapsed: an unswept lapsed hold to release first);
-- 'mine' means it is in the cart already; any other code is the refusal (see select).
local function check_holdable(seat_id, owner, cooldown, now)
  local seat, raw, hold, code = load_seat(seat_id)
  if code then
    return code, nil, '', nil, ''
  end
  code = sale_refusal()
  if code then
    return code, seat, raw, nil, ''
  end
  if seat.status == BOOKED then
    return 'booked', seat, raw, nil, seat.booked_by or ''
  end
  if seat.blocked == true then
    return 'blocked', seat, raw, nil, ''
  end
  local lapsed = nil
  if seat.status == HELD then
    if not hold or now < hold.deadline then
      if hold and hold.owner == owner then
        return 'mine', seat, raw, nil, hold.user_id
      end
      return 'taken', seat, raw, nil, seat.held_by or ''
    end
    lapsed = hold
  end
  local ready_at = tonumber(redis.call('ZSCORE', COOLDOWN, cooldown_member(owner, seat_id)) or 0)
  if lapsed ~= nil and lapsed.owner == owner and cooldown > 0 then
    ready_at = math.max(ready_at, lapsed.deadline + cooldown)
  end
  if ready_at > now then
    return 'cooldown', seat, raw, nil, ready_at - now
  end
  return nil, seat, raw, lapsed, ''
end

-- Holds the (available) seat for the owner until `deadline`; returns version, seat JSON.
local function take_hold(seat_id, seat, owner, user_id, holder, hold_id, deadline)
  redis.call('HSET', HOLDS, seat_id,
    cjson.encode({owner = owner, hold_id = hold_id, user_id = user_id, deadline = deadline}))
  redis.call('ZADD', EXPIRY, deadline, seat_id .. '|' .. hold_id)
  redis.call('HINCRBY', COUNTS, owner, 1)
  local held = available_seat(seat)
  held.status = HELD
  held.held_by = user_id
  held.expires_at = math.floor(deadline / 1000)
  held.expires_at_ms = deadline
  held.holder = holder
  return store_seat(seat_id, available_seat(seat), held)
end

-- Books a seat on the hold that ends here (the hold is dropped, the seat is final);
-- returns the new version and seat JSON.
local function book_hold(seat_id, seat, hold, now)
  drop_hold(seat_id, hold)
  local booked = available_seat(seat)
  booked.status = BOOKED
  booked.booked_by = hold.user_id
  booked.booked_at = math.floor(now / 1000)
  return store_seat(seat_id, seat, booked)
end

-- The owner's holds as {seat id, hold} pairs, in no particular order.
local function owner_holds(owner)
  local held = {}
  local flat = redis.call('HGETALL', HOLDS)
  for i = 1, #flat, 2 do
    local hold = cjson.decode(flat[i + 1])
    if hold.owner == owner then
      held[#held + 1] = {flat[i], hold}
    end
  end
  return held
end

-- Count an order under its status in the order counts (hash: status -> how many; see
-- read_order_counts.lua), which are kept only once a read has made them.
local function count_order(order_counts, status, by)
  if redis.call('EXISTS', order_counts) == 1 then
    redis.call('HINCRBY', order_counts, status, by)
  end
end
