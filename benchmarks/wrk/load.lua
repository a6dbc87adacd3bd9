-- wrk script of the load benchmark (benchmarks/load.py). Configured from the environment:
--   LOAD_METHOD   GET (default) or POST
--   LOAD_PATH     the request path; "%s" in it is replaced by the current value
--   LOAD_VALUES   a file of values, one a line: cookies, feed tokens or API tokens
--   LOAD_USE      how a value is sent: "cookie", "path" or "bearer"
--   LOAD_ONCE     "1": each value is used once only, shared out between wrk's threads (each
--                 registration POST is a new member; wrk stops a thread whose values ran out)
--   LOAD_BODY     the request body (JSON) of a POST
--   LOAD_IDS      a file prefix: each thread writes the "id" of its 201 answers there
-- Every request comes as from the reverse proxy (X-Forwarded-Proto: https), the way the
-- production settings expect. done() prints one JSON line that load.py reads.

local method = os.getenv("LOAD_METHOD") or "GET"
local path = os.getenv("LOAD_PATH") or "/"
local use = os.getenv("LOAD_USE") or ""
local once = os.getenv("LOAD_ONCE") == "1"
local body = os.getenv("LOAD_BODY")
local ids_prefix = os.getenv("LOAD_IDS")

local threads = {}
local counter = 0

function setup(thread)
   thread:set("thread_index", counter)
   counter = counter + 1
   thread:set("thread_count", counter)
   table.insert(threads, thread)
end

local values = {}
local next_value = 1
local ids_file = nil
-- Globals, not locals: done() reads them from each thread with thread:get().
statuses = {}
missing_retry_after = 0

local function read_values(name, index, count)
   local list = {}
   local line_number = 0
   for line in io.lines(name) do
      if not once or line_number % count == index then
         table.insert(list, line)
      end
      line_number = line_number + 1
   end
   return list
end

function init(args)
   local name = os.getenv("LOAD_VALUES")
   if name then
      -- wrk calls setup() for every thread before any init(): thread_count is final here
      -- only through the global set on each thread, so count the threads from the env.
      local count = tonumber(os.getenv("LOAD_THREADS") or "1")
      values = read_values(name, thread_index or 0, count)
   end
   if ids_prefix then
      ids_file = io.open(ids_prefix .. tostring(thread_index or 0), "w")
   end
end

function request()
   local headers = { ["X-Forwarded-Proto"] = "https" }
   local target = path
   if #values > 0 then
      if next_value > #values then
         if once then
            wrk.thread:stop()
            return wrk.format("GET", "/healthz", headers)
         end
         next_value = 1
      end
      local value = values[next_value]
      next_value = next_value + 1
      if use == "cookie" then
         headers["Cookie"] = value
      elseif use == "bearer" then
         headers["Authorization"] = "Bearer " .. value
      elseif use == "path" then
         target = string.format(path, value)
      end
   end
   if body then
      headers["Content-Type"] = "application/json"
   end
   return wrk.format(method, target, headers, body)
end

function response(status, headers, response_body)
   statuses[status] = (statuses[status] or 0) + 1
   if status == 503 and headers["Retry-After"] == nil then
      missing_retry_after = missing_retry_after + 1
   end
   if ids_file and status == 201 then
      local id = string.match(response_body, '"id"%s*:%s*(%d+)')
      if id then
         ids_file:write(id, "\n")
         ids_file:flush()
      end
   end
end

function done(summary, latency, requests)
   local counts = {}
   local no_retry_after = 0
   for _, thread in ipairs(threads) do
      local seen = thread:get("statuses") or {}
      for status, n in pairs(seen) do
         counts[status] = (counts[status] or 0) + n
      end
      no_retry_after = no_retry_after + (thread:get("missing_retry_after") or 0)
   end
   local parts = {}
   for status, n in pairs(counts) do
      table.insert(parts, string.format('"%d": %d', status, n))
   end
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
         .. '"status_errors": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
         .. '"statuses": {%s}, "503_without_retry_after": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
      table.concat(parts, ", "), no_retry_after))
end
