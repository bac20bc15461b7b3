-- Read the whole venue at one version.
-- KEYS: see _prelude.lua.
-- Returns {version, digest, {seat id, seat JSON, seat id, seat JSON, ...}}
local digest = read_digest()
return {tonumber(current_version()), digest, redis.call('HGETALL', SEATS)}
