-- wrk script used by bench/throughput.py.
--
-- Usage: wrk ... -s bench/wrk_paths.lua http://HOST:PORT -- PATHS_FILE MODE THREADS
--   PATHS_FILE  request paths, one a line; every thread cycles through them, each from its own offset
--   MODE        "facets": a response is complete only if it has all 10 catalogue facet sections;
--               "status": only the status is checked
--   THREADS     the -t value, to spread the starting offsets over the list
--
-- done() prints one line: CHECK total=N bad_status=N incomplete=N
-- (bad_status: answers other than 200; incomplete: 200 answers missing a facet section).

local FACETS = {
  "category", "level", "role", "subject", "language",
  "standard", "accessibility", "hosting", "personal_data", "model",
}
local MARKERS = {}
for i, name in ipairs(FACETS) do
  MARKERS[i] = 'aria-labelledby="facet-' .. name .. '"'
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local paths_file, mode, nthreads = args[1], args[2], tonumber(args[3]) or 1
  check_facets = (mode == "facets")
  requests_list = {}
  for line in io.lines(paths_file) do
    if line ~= "" then
      requests_list[#requests_list + 1] = wrk.format("GET", line)
    end
  end
  if #requests_list == 0 then
    error("no paths in " .. paths_file)
  end
  position = (thread_id * math.floor(#requests_list / nthreads)) % #requests_list
  total, bad_status, incomplete = 0, 0, 0
end

function request()
  position = position % #requests_list + 1
  return requests_list[position]
end

function response(status, headers, body)
  total = total + 1
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif check_facets then
    for _, marker in ipairs(MARKERS) do
      if not body or not string.find(body, marker, 1, true) then
        incomplete = incomplete + 1
        break
      end
    end
  end
end

function done(summary, latency, requests)
  local sum_total, sum_bad, sum_incomplete = 0, 0, 0
  for _, thread in ipairs(threads) do
    sum_total = sum_total + (thread:get("total") or 0)
    sum_bad = sum_bad + (thread:get("bad_status") or 0)
    sum_incomplete = sum_incomplete + (thread:get("incomplete") or 0)
  end
  io.write(string.format("CHECK total=%d bad_status=%d incomplete=%d\n", sum_total, sum_bad, sum_incomplete))
end
