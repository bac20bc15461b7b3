-- Book a seat that the caller holds; a booking is final.
-- KEYS: see _prelude.lua.
-- ARGV[1] seat id, ARGV[2] owner key.
-- Returns {code, version, seat JSON, now ms, user id}; code is
--   'ok' booked now (version bumped, an event is due), or one of
--   'not_started', 'closed' (the event's sale state forbids selling),
--   'unknown', 'booked', 'not_held', 'not_yours', 'expired' (nothing changed)
local sale = sale_refusal()
if sale then
  return {sale, current_version(), '', now_ms(), ''}
end
local refusal, seat, hold, now = load_owned(ARGV[1], ARGV[2])
if refusal then
  return refusal
end
local version, encoded = book_hold(ARGV[1], seat, hold, now)
return {'ok', version, encoded, now, hold.user_id}
