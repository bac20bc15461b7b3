-- Helpers prepended to every script of this folder (scripts stay self-contained
-- once loaded: Redis sees one body per operation).
--
-- Keys every operation script receives, all sharing the venue's hash tag:
--   KEYS[1] seats   hash: seat id -> public seat JSON (what clients see)
--   KEYS[2] holds   hash: seat id -> private hold JSON {owner, hold_id, user_id, deadline}
--   KEYS[3] expiry  sorted set: "<seat id>|<hold id>" scored by deadline (unix ms)
--   KEYS[4] version counter: grows by one with every seat change

local SEATS, HOLDS, EXPIRY, VERSION = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

-- Redis's own clock, so every booking process agrees on time.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Writes the public seat JSON and bumps the venue version; returns both.
local function store_seat(seat_id, seat)
  local encoded = cjson.encode(seat)
  redis.call('HSET', SEATS, seat_id, encoded)
  return redis.call('INCR', VERSION), encoded
end

local function available_seat(seat)
  return {id = seat.id, row = seat.row, col = seat.col, status = 0}
end

-- Ends a hold: forgets it and its deadline entry.
local function drop_hold(seat_id, hold)
  redis.call('HDEL', HOLDS, seat_id)
  redis.call('ZREM', EXPIRY, seat_id .. '|' .. hold.hold_id)
end

-- Loads a seat and its hold; code is nil when the caller may go on.
local function load_seat(seat_id)
  local raw = redis.call('HGET', SEATS, seat_id)
  if not raw then
    return nil, nil, 'unknown'
  end
  local seat = cjson.decode(raw)
  local hold_raw = redis.call('HGET', HOLDS, seat_id)
  local hold = hold_raw and cjson.decode(hold_raw) or nil
  return seat, hold, nil
end

-- Checks that `owner` holds the seat right now; returns an error code or nil.
local function check_owner(seat, hold, owner, now)
  if seat.status == 2 then
    return 'booked'
  end
  if seat.status ~= 1 or not hold then
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
  local seat, hold, code = load_seat(seat_id)
  if code then
    return {code, 0, '', now, ''}
  end
  code = check_owner(seat, hold, owner, now)
  if code then
    return {code, redis.call('GET', VERSION) or 0, cjson.encode(seat), now, ''}
  end
  return nil, seat, hold, now
end
