-- wrk script: POST /auth/login with the account given in the environment (LOGIN_EMAIL, LOGIN_PASSWORD).
-- Counts answers other than 200 so that a throttled or failing run cannot pass for a fast one.
local email = os.getenv("LOGIN_EMAIL")
local password = os.getenv("LOGIN_PASSWORD")
wrk.method = "POST"
wrk.path = "/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. email .. '","password":"' .. password .. '"}'

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    failed = 0
end

function response(status, headers, body)
    if status ~= 200 then
        failed = failed + 1
    end
end

function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do
        total = total + t:get("failed")
    end
    io.write(string.format("login_failed %d\n", total))
    io.write(string.format("login_median_ms %.1f\n", latency:percentile(50) / 1000))
    io.write(string.format("login_p99_ms %.1f\n", latency:percentile(99) / 1000))
end
