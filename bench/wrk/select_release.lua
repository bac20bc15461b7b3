-- wrk script: select -> release cycles over 88 distinct seats of the default 10 x 10 hall.
--
--   wrk --latency -t4 -c64 -d8s -s bench/wrk/select_release.lua http://127.0.0.1:8080
--
-- The seats are columns 1-9 of rows A-J but J8 and J9 (A1 ... J7), 88 of them, one
-- user id per seat (bench-<seat>), shared out among wrk's threads (WRK_THREADS tells
-- the script how many there are when -t is not 4: wrk does not). Each thread sends a
-- select of each of its seats, then a release of each, and again: a seat's release
-- goes out as many requests after its select as the thread has seats (22 with -t4),
-- so it overtakes its select (409 "not held") only when that select waits longer than
-- all the thread's requests in between. Every select and every release is one
-- request; done() prints how many answers were not 200.
--
-- Run it against a service whose holds outlast the sitting (HOLD_SECONDS=3600): the
-- seats a run leaves held otherwise lapse 30 s later, and their owners' re-hold
-- cooldown refuses the next run's selects.

local SEATS = {}
for row in ("ABCDEFGHIJ"):gmatch(".") do
  for col = 1, 9 do
    if #SEATS < 88 then
      SEATS[#SEATS + 1] = row .. col
    end
  end
end

local THREADS = tonumber(os.getenv("WRK_THREADS") or "4")

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

local requests = {}
local position = 0
refused = 0

function init(args)
  local mine = {}
  for i, seat in ipairs(SEATS) do
    if (i - 1) % THREADS == index then
      mine[#mine + 1] = seat
    end
  end
  local headers = { ["Content-Type"] = "application/json" }
  for _, action in ipairs({ "select", "release" }) do
    for _, seat in ipairs(mine) do
      local body = string.format('{"seat_id":"%s","user_id":"bench-%s"}', seat, seat)
      requests[#requests + 1] = wrk.format("POST", "/api/seats/" .. action, headers, body)
    end
  end
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  if status ~= 200 then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("refused")
  end
  io.write(string.format("answers other than 200: %d\n", total))
end
