-- wrk script: the requests that queue mail, as MAIL_MODE says:
--   register       POST /auth/register with a new address each time: MAIL_PREFIX-t<thread>-<n>@example.com,
--                  from a counter of its own on each wrk thread (so no two requests of one run, or of
--                  two runs with different MAIL_PREFIXes, name the same address), password MAIL_PASSWORD;
--   reset-known    POST /auth/password-reset for the existing accounts of MAIL_EMAILS_FILE (one address
--                  a line), taken in turn, the MAIL_THREADS wrk threads interleaved (thread i takes
--                  the addresses i, i + MAIL_THREADS, ...), so that each address is asked for as
--                  rarely as the list allows;
--   reset-unknown  POST /auth/password-reset for addresses that have no account, made up like register's.
-- Each connection waits MAIL_DELAY_MS (if set) after an answer before its next request, so that the
-- load is a steady rate and not as many requests as the server can take: a reset is answered before
-- its look-up, which runs on the store pool, and a client that sends the next one at once would fill
-- that pool's queue (the answer is then 503) however fast the requests themselves are.
-- Every answer other than 202 counts as failed, so that a refused request cannot pass for a fast one.
-- Prints "name value" lines at the end: mail_requests, mail_failed, mail_median_ms, mail_p90_ms,
-- mail_p99_ms, and the first failures.
local mode = os.getenv("MAIL_MODE") or "register"
local prefix = os.getenv("MAIL_PREFIX") or "mail"
local password = os.getenv("MAIL_PASSWORD")
local known = {}
if mode == "reset-known" then
    local file = assert(io.open(assert(os.getenv("MAIL_EMAILS_FILE"), "MAIL_EMAILS_FILE is not set"), "r"))
    for line in file:lines() do
        if line ~= "" then
            table.insert(known, line)
        end
    end
    file:close()
end
local stride = tonumber(os.getenv("MAIL_THREADS") or "1")
assert(mode == "register" or mode == "reset-known" or mode == "reset-unknown", "MAIL_MODE: register, reset-known or reset-unknown")
assert(mode ~= "register" or password, "MAIL_PASSWORD is not set")
assert(mode ~= "reset-known" or #known > 0, "MAIL_EMAILS_FILE holds no address")

local pause = tonumber(os.getenv("MAIL_DELAY_MS") or "0")
if pause > 0 then
    function delay()
        return pause
    end
end

local next_id = 0
local threads = {}

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    sent = 0
    failed = 0
    failures = ""
end

local headers = {["Content-Type"] = "application/json"}

function request()
    sent = sent + 1
    if mode == "register" then
        local email = string.format("%s-t%d-%d@example.com", prefix, id, sent)
        return wrk.format("POST", "/auth/register", headers, '{"email":"' .. email .. '","password":"' .. password .. '"}')
    end
    local email
    if mode == "reset-known" then
        email = known[((sent - 1) * stride + id) % #known + 1]
    else
        email = string.format("nobody-%s-t%d-%d@example.com", prefix, id, sent)
    end
    return wrk.format("POST", "/auth/password-reset", headers, '{"email":"' .. email .. '"}')
end

function response(status, headers, body)
    if status ~= 202 then
        failed = failed + 1
        if failed <= 3 then
            failures = failures .. " " .. status .. ":" .. string.sub(body or "", 1, 120)
        end
    end
end

function done(summary, latency, requests)
    local total = 0
    local first = ""
    for _, t in ipairs(threads) do
        total = total + t:get("failed")
        first = first .. t:get("failures")
    end
    io.write(string.format("mail_requests %d\n", summary.requests))
    io.write(string.format("mail_failed %d\n", total))
    io.write(string.format("mail_median_ms %.2f\n", latency:percentile(50) / 1000))
    io.write(string.format("mail_p90_ms %.2f\n", latency:percentile(90) / 1000))
    io.write(string.format("mail_p99_ms %.2f\n", latency:percentile(99) / 1000))
    if total > 0 then
        io.write("first failures" .. first .. "\n")
    end
end
