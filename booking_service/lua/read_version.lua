-- Read the venue's version and digest at one instant (what a heartbeat carries).
-- KEYS: see _prelude.lua.
-- Returns {version, digest}
local digest = read_digest()
return {tonumber(current_version()), digest}
