-- wrk script for every run of the benchmarks (bench/harness.py).
--
-- With a file argument (`wrk ... URL -- paths.txt`, one request path per line) each
-- connection rotates through those paths: the "50 different keyset pages" workload.
-- Without one it requests URL again and again: the "same page" workload.
-- done() prints one line, `BENCH_JSON {...}`, that the harness reads.

local paths = {}
local counter = 0

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      if #line > 0 then
        paths[#paths + 1] = line
      end
    end
  end
  -- threads start at different places in the rotation
  counter = math.random(0, math.max(#paths - 1, 0))
end

function request()
  if #paths == 0 then
    return wrk.format(nil, nil)
  end
  counter = counter % #paths + 1
  return wrk.format(nil, paths[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
