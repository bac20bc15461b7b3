-- Read the whole venue at one version.
-- KEYS: see _prelude.lua (seats, holds, expiry, version).
-- Returns {version, {seat id, seat JSON, seat id, seat JSON, ...}}
return {tonumber(redis.call('GET', VERSION) or 0), redis.call('HGETALL', SEATS)}
