-- wrk script: POST /auth/login with the accounts given in the environment (LOGIN_EMAILS, comma-separated,
-- else LOGIN_EMAIL; LOGIN_PASSWORD), taking them in turn: the login throttle reserves each attempt
-- before hashing, so one client may have only a few logins of one account in flight at once.
-- Counts answers other than 200 so that a throttled or failing run cannot pass for a fast one.
local password = os.getenv("LOGIN_PASSWORD")
local bodies = {}
for email in string.gmatch(os.getenv("LOGIN_EMAILS") or os.getenv("LOGIN_EMAIL"), "[^,]+") do
    table.insert(bodies, '{"email":"' .. email .. '","password":"' .. password .. '"}')
end
wrk.method = "POST"
wrk.path = "/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = bodies[1]

local sent = 0
function request()
    sent = sent + 1
    return wrk.format(nil, nil, nil, bodies[sent % #bodies + 1])
end

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
