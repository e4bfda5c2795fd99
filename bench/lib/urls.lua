-- urls.lua: a wrk script that GETs the paths of a file round-robin.
--
--   URLS_FILE=paths.txt wrk -t2 -c32 -d15s -s bench/lib/urls.lua URL
--   wrk ... -s bench/lib/urls.lua URL -- paths.txt
--   wrk ... -s bench/lib/urls.lua URL            (URL's own path only)
--
-- The file holds one path a line (lines not starting with "/" are
-- ignored); the file given after "--" wins over $URLS_FILE; without
-- either, every request is GET of the URL's path and query.  Each wrk
-- thread walks the whole list, starting at its own offset.  Every
-- response is counted by status, and done() prints, after wrk's own
-- summary, machine-readable lines:
--
--   bench: requests=N duration_us=N rps=F p50_us=N p99_us=N p999_us=N max_us=N
--   bench: non2xx=N connect=N read=N write=N timeout=N status_errors=N
--   bench: status STATUS=N          (one line per status seen)

local paths = {}
local idx = 0
bench_statuses = {}   -- a global: done() reads it with thread:get
local threads = {}
local nthreads = 0

local function load(file)
   local f = io.open(file, "r")
   if not f then
      error("urls.lua: cannot open " .. tostring(file))
   end
   local out = {}
   for line in f:lines() do
      line = line:gsub("%s+$", "")
      if line:sub(1, 1) == "/" then
         out[#out + 1] = line
      end
   end
   f:close()
   if #out == 0 then
      error("urls.lua: no path in " .. file)
   end
   return out
end

function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
   threads[#threads + 1] = thread
end

function init(args)
   local file = args[1] or os.getenv("URLS_FILE")
   local list = {wrk.path}
   if file and file ~= "" then
      list = load(file)
   end
   for i, p in ipairs(list) do
      paths[i] = wrk.format("GET", p)
   end
   idx = ((tid or 1) - 1) * 7 % #paths
end

function request()
   idx = idx % #paths + 1
   return paths[idx]
end

function response(status, headers, body)
   local k = tostring(status)
   bench_statuses[k] = (bench_statuses[k] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   local non2xx = 0
   for _, t in ipairs(threads) do
      local s = t:get("bench_statuses") or {}
      for k, v in pairs(s) do
         total[k] = (total[k] or 0) + v
      end
   end
   local keys = {}
   for k, v in pairs(total) do
      keys[#keys + 1] = k
      local n = tonumber(k)
      if n < 200 or n > 299 then
         non2xx = non2xx + v
      end
   end
   table.sort(keys)
   local e = summary.errors
   io.write(string.format(
      "bench: requests=%d duration_us=%d rps=%.2f p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
      summary.requests, summary.duration,
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99),
      latency:percentile(99.9), latency.max))
   io.write(string.format(
      "bench: non2xx=%d connect=%d read=%d write=%d timeout=%d status_errors=%d\n",
      non2xx, e.connect, e.read, e.write, e.timeout, e.status))
   for _, k in ipairs(keys) do
      io.write(string.format("bench: status %s=%d\n", k, total[k]))
   end
end
