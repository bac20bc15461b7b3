-- Release every hold whose deadline has passed (deadline <= now), at most ARGV[1], and
-- forget re-hold cooldowns that have ended.
-- KEYS: see _prelude.lua.
-- ARGV[1] batch limit, ARGV[2] re-hold cooldown (ms, 0 for none).
-- An expiry entry names its hold id, so a stale entry never ends a newer hold.
-- Returns {now ms, next deadline ms or -1, {seat id, user id, version, seat JSON}...,
-- lag ms: how far past its deadline the most overdue hold released here was, or -1}
-- Each released hold appears in exactly one call's result, whoever sweeps (a select
-- that released a lapsed hold itself removed its expiry entry).
local now = now_ms()
local cooldown = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', COOLDOWN, '-inf', now)
local due = redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', now, 'WITHSCORES', 'LIMIT', 0,
  tonumber(ARGV[1]))
local released = {}
local lag = -1
for i = 1, #due, 2 do
  local member = due[i]
  redis.call('ZREM', EXPIRY, member)
  local sep = string.find(member, '|', 1, true)
  local seat_id = string.sub(member, 1, sep - 1)
  local hold_id = string.sub(member, sep + 1)
  local seat, _, hold = load_seat(seat_id)
  if seat and hold and hold.hold_id == hold_id and seat.status == HELD then
    local version, encoded = lapse_hold(seat_id, seat, hold, cooldown, now)
    released[#released + 1] = {seat_id, hold.user_id, version, encoded}
    lag = math.max(lag, now - tonumber(due[i + 1]))
  end
end
local upcoming = redis.call('ZRANGE', EXPIRY, 0, 0, 'WITHSCORES')
local next_deadline = -1
if upcoming[2] then
  next_deadline = tonumber(upcoming[2])
end
return {now, next_deadline, released, lag}
