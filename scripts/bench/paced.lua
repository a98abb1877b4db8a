-- wrk script for scripts/bench-services.sh: paced requests against registry-service reads.
-- Debian's wrk 4.1 has no constant-rate mode (wrk2's -R), so every connection waits DELAY_MS
-- between requests; the script calibrates DELAY_MS so that the achieved rate is the target.
-- MODE=list: GET /api/v1/hsms?page=P&size=20 (P random in 0..PAGES-1);
-- MODE=item: GET /api/v1/hsms/{id}, id = %064x of a random 1..HSMS;
-- MODE=mixed: half and half.
local mode = os.getenv("MODE") or "mixed"
local hsms = tonumber(os.getenv("HSMS") or "10000")
local pages = tonumber(os.getenv("PAGES") or "1")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "10")

function setup(thread)
   thread:set("seed", math.random(1, 2^30))
end

function init(args)
   math.randomseed(seed or 1)
end

function delay()
   return delay_ms
end

function request()
   local list = mode == "list" or (mode == "mixed" and math.random() < 0.5)
   local path
   if list then
      path = string.format("/api/v1/hsms?page=%d&size=20", math.random(0, pages - 1))
   else
      path = string.format("/api/v1/hsms/%064x", math.random(1, hsms))
   end
   return wrk.format("GET", path)
end

local errors = 0
function response(status, headers, body)
   if status ~= 200 then
      errors = errors + 1
      if errors <= 3 then
         io.stderr:write("unexpected status " .. status .. ": " .. body:sub(1, 200) .. "\n")
      end
   end
end
