-- wrk script: every connection is a client rotating refresh-token chains with POST /auth/refresh.
-- Each wrk thread owns REFRESH_CHAINS_PER_THREAD chains (one per connection it opens, plus one for
-- the request wrk builds once to check the script and never sends), read from
-- REFRESH_TOKENS_FILE (thread i takes lines i*k+1 .. (i+1)*k). A request takes a token from the
-- thread's pool of unspent tokens; its answer puts the successor back. So each token is sent once,
-- only after the answer that issued it, and never more chains are in flight than connections.
-- Every answer other than 200 with a new refresh token counts as failed; presenting a spent token
-- (a double-spent rotation) would be refused and revoke the family, so it shows up here too.
local next_id = 0
local threads = {}

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    local per = assert(tonumber(os.getenv("REFRESH_CHAINS_PER_THREAD")), "REFRESH_CHAINS_PER_THREAD is not set")
    pool = {}
    local file = assert(io.open(os.getenv("REFRESH_TOKENS_FILE"), "r"))
    local n = 0
    for line in file:lines() do
        if n >= id * per and n < (id + 1) * per then
            table.insert(pool, line)
        end
        n = n + 1
    end
    file:close()
    assert(#pool == per, "thread " .. id .. " got " .. #pool .. " refresh tokens, wanted " .. per)
    rotated = 0
    failed = 0
    failures = ""
end

function request()
    -- An empty pool means a chain was lost to a failed answer: the request then fails too (and counts).
    local token = table.remove(pool) or "no-unspent-token-left"
    return wrk.format("POST", "/auth/refresh", {["Content-Type"] = "application/json"},
        '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
    local fresh = status == 200 and body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if fresh then
        table.insert(pool, fresh)
        rotated = rotated + 1
    else
        failed = failed + 1
        if failed <= 3 then
            failures = failures .. " " .. status .. ":" .. string.sub(body, 1, 120)
        end
    end
end

function done(summary, latency, requests)
    local r, f, why = 0, 0, ""
    for _, t in ipairs(threads) do
        r = r + t:get("rotated")
        f = f + t:get("failed")
        why = why .. t:get("failures")
    end
    if f > 0 then
        io.write("first failures:" .. why .. "\n")
    end
    io.write(string.format("rotations %d\n", r))
    io.write(string.format("failed %d\n", f))
    io.write(string.format("rotations_per_s %.1f\n", r / (summary.duration / 1e6)))
    io.write(string.format("p99_ms %.1f\n", latency:percentile(99) / 1000))
    io.write(string.format("median_ms %.1f\n", latency:percentile(50) / 1000))
end
