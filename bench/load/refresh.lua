-- wrk script: each thread (one connection each: run with -t N -c N) rotates its own refresh-token
-- chain with POST /auth/refresh, sending the token the previous answer returned. Every answer
-- other than 200 with a new refresh token counts as failed; presenting a spent token (a
-- double-spent rotation) would be refused and revoke the family, so it shows up here too.
local next_id = 0
local threads = {}

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    local file = assert(io.open(os.getenv("REFRESH_TOKENS_FILE"), "r"))
    local n = 0
    for line in file:lines() do
        if n == id then
            token = line
        end
        n = n + 1
    end
    file:close()
    assert(token, "no refresh token for thread " .. id)
    rotated = 0
    failed = 0
end

function request()
    return wrk.format("POST", "/auth/refresh", {["Content-Type"] = "application/json"},
        '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
    local fresh = status == 200 and body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if fresh then
        token = fresh
        rotated = rotated + 1
    else
        failed = failed + 1
    end
end

function done(summary, latency, requests)
    local r, f = 0, 0
    for _, t in ipairs(threads) do
        r = r + t:get("rotated")
        f = f + t:get("failed")
    end
    io.write(string.format("rotations %d\n", r))
    io.write(string.format("failed %d\n", f))
    io.write(string.format("rotations_per_s %.1f\n", r / (summary.duration / 1e6)))
    io.write(string.format("p99_ms %.1f\n", latency:percentile(99) / 1000))
    io.write(string.format("median_ms %.1f\n", latency:percentile(50) / 1000))
end
