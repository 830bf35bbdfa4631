// The Lua side of RedisReservationStore: one script per ReservationStore operation, each one round trip and
// atomic (Redis runs a script to completion before any other command), so N processes decide exactly as the
// in-process store does.
//
// Why limbs: Redis' Lua numbers are doubles, exact only up to 2^53 pUSD (~$9,007), and an account's lifetime
// spend exceeds that. Counters are updated with HINCRBY/INCRBY (exact signed 64-bit in Redis itself); only the
// comparison and the reported headroom are computed in Lua, as {hi, lo} pairs with value = hi * 10^12 + lo
// (0 <= lo < 10^12), exact over the whole int64 range.
//
// Keys are built inside the scripts from ARGV[1] (the configured prefix): settle learns the account and key from
// the reservation itself. That needs a single Redis (or one hash slot), not a Cluster; see README.
// Layout under the prefix P:
//   P a:{account}          hash spent, reserved
//   P a:{account}:rz       zset reservation id -> expiry (ms)
//   P k:{key}              hash total, reserved
//   P k:{key}:rz           zset reservation id -> expiry (ms)
//   P k:{key}:{d|w|m}:{pk} string: the key's spend in that UTC period, expiring after it (period length + margin)
//   P r:{id}               hash a, k, amt, d, w, m (the period keys at reservation time)
//   P init                 generation marker: present once the counters were loaded from the ledger

const PRELUDE = `
local B = 1e12
local function big(s)
  s = s or '0'
  local neg = false
  if string.sub(s, 1, 1) == '-' then neg = true; s = string.sub(s, 2) end
  local n = #s
  local hi, lo = 0, 0
  if n > 12 then hi = tonumber(string.sub(s, 1, n - 12)); lo = tonumber(string.sub(s, n - 11)) else lo = tonumber(s) end
  if neg then
    if lo == 0 then return {-hi, 0} end
    return {-hi - 1, B - lo}
  end
  return {hi, lo}
end
local function neg(a) if a[2] == 0 then return {-a[1], 0} end return {-a[1] - 1, B - a[2]} end
local function add(a, b)
  local hi, lo = a[1] + b[1], a[2] + b[2]
  if lo >= B then lo = lo - B; hi = hi + 1 end
  return {hi, lo}
end
local function sub(a, b) return add(a, neg(b)) end
local function lt(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end
local function str(a)
  if a[1] < 0 then return '-' .. str(neg(a)) end
  if a[1] == 0 then return string.format('%.0f', a[2]) end
  return string.format('%.0f', a[1]) .. string.format('%012.0f', a[2])
end
local P = ARGV[1]
-- removes a reservation: its amount leaves both reserved sums; nil when unknown
local function take(id)
  local rk = P .. 'r:' .. id
  local r = redis.call('HMGET', rk, 'a', 'k', 'amt', 'd', 'w', 'm')
  if not r[1] then return nil end
  if r[3] ~= '0' then
    redis.call('HINCRBY', P .. 'a:' .. r[1], 'reserved', '-' .. r[3])
    redis.call('HINCRBY', P .. 'k:' .. r[2], 'reserved', '-' .. r[3])
  end
  redis.call('ZREM', P .. 'a:' .. r[1] .. ':rz', id)
  redis.call('ZREM', P .. 'k:' .. r[2] .. ':rz', id)
  redis.call('DEL', rk)
  return r
end
-- reservations of a dead process: their expiry passed, so they are returned to the headroom
local function sweep(z, now)
  local ids = redis.call('ZRANGEBYSCORE', z, '-inf', '(' .. now, 'LIMIT', 0, 1000)
  for _, id in ipairs(ids) do
    take(id)
    redis.call('ZREM', z, id)
  end
  return #ids
end
-- spend: account, key lifetime, and the three period counters of the given period keys
local function charge(a, k, amt, d, w, m, ttlD, ttlW, ttlM)
  if amt == '0' then return end
  redis.call('HINCRBY', P .. 'a:' .. a, 'spent', amt)
  redis.call('HINCRBY', P .. 'k:' .. k, 'total', amt)
  local kk = P .. 'k:' .. k
  redis.call('INCRBY', kk .. ':d:' .. d, amt); redis.call('PEXPIRE', kk .. ':d:' .. d, ttlD)
  redis.call('INCRBY', kk .. ':w:' .. w, amt); redis.call('PEXPIRE', kk .. ':w:' .. w, ttlW)
  redis.call('INCRBY', kk .. ':m:' .. m, amt); redis.call('PEXPIRE', kk .. ':m:' .. m, ttlM)
end
`;

/**
 * ARGV: prefix, account, key, amount, credit ('' = unlimited), limit ('' = none), period (d|w|m|n), pk d, w, m,
 * id, now (ms), expiry (ms). → {'ok'[, available]} | {reason, available} | {'init'} when the counters are not
 * loaded (a new or flushed Redis: deciding on zeros would let every key spend its limit again).
 */
export const RESERVE_LUA = `${PRELUDE}
if redis.call('EXISTS', P .. 'init') == 0 then return {'init'} end
local A, K, amt, credit, limit, per = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local pk = {d = ARGV[8], w = ARGV[9], m = ARGV[10]}
local id, now, exp = ARGV[11], ARGV[12], ARGV[13]
local ak, kk = P .. 'a:' .. A, P .. 'k:' .. K
sweep(ak .. ':rz', now)
sweep(kk .. ':rz', now)
local amount = big(amt)
local acctAvail, keyAvail = nil, nil
if credit ~= '' then
  local a = redis.call('HMGET', ak, 'spent', 'reserved')
  acctAvail = sub(sub(big(credit), big(a[1])), big(a[2]))
end
if limit ~= '' then
  local spent
  if per == 'n' then spent = redis.call('HGET', kk, 'total') else spent = redis.call('GET', kk .. ':' .. per .. ':' .. pk[per]) end
  keyAvail = sub(sub(big(limit), big(spent)), big(redis.call('HGET', kk, 'reserved')))
end
local af = acctAvail ~= nil and lt(acctAvail, amount)
local kf = keyAvail ~= nil and lt(keyAvail, amount)
if af or kf then
  if af and ((not kf) or not lt(keyAvail, acctAvail)) then return {'account_credit', str(acctAvail)} end
  return {'key_limit', str(keyAvail)}
end
if amt ~= '0' then
  redis.call('HINCRBY', ak, 'reserved', amt)
  redis.call('HINCRBY', kk, 'reserved', amt)
end
redis.call('HSET', P .. 'r:' .. id, 'a', A, 'k', K, 'amt', amt, 'd', pk.d, 'w', pk.w, 'm', pk.m)
redis.call('ZADD', ak .. ':rz', exp, id)
redis.call('ZADD', kk .. ':rz', exp, id)
local av = nil
if acctAvail ~= nil then av = sub(acctAvail, amount) end
if keyAvail ~= nil then
  local kv = sub(keyAvail, amount)
  if av == nil or lt(kv, av) then av = kv end
end
if av ~= nil then return {'ok', str(av)} end
return {'ok'}
`;

/** ARGV: prefix, id, actual, ttl d, w, m (ms). → 1 settled, 0 unknown (settled, released or expired before). */
export const SETTLE_LUA = `${PRELUDE}
local r = take(ARGV[2])
if not r then return 0 end
charge(r[1], r[2], ARGV[3], r[4], r[5], r[6], ARGV[4], ARGV[5], ARGV[6])
return 1
`;

/** ARGV: prefix, id. → 1 released, 0 unknown. */
export const RELEASE_LUA = `${PRELUDE}
if take(ARGV[2]) then return 1 end
return 0
`;

/** ARGV: prefix, account, key, amount, pk d, w, m, ttl d, w, m. */
export const RECORD_LUA = `${PRELUDE}
charge(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10])
return 1
`;

/** ARGV: prefix, now (ms), then account ids and key ids as 'a', id / 'k', id pairs. → how many were swept. */
export const SWEEP_LUA = `${PRELUDE}
local n = 0
for i = 3, #ARGV, 2 do
  local z = P .. ARGV[i] .. ':' .. ARGV[i + 1] .. ':rz'
  n = n + sweep(z, ARGV[2])
end
return n
`;

/**
 * Reconcile's compare-and-set. KEYS[1]: a hash or string counter (prefixed by the client); ARGV: field ('' for a
 * string), expected (what reconcile read, '' = absent), value, ttl ms ('' = keep). → 1 set, 0 it changed since
 * the read (a request settled meanwhile: reported, the next run fixes it).
 */
export const CAS_LUA = `
local cur
if ARGV[1] == '' then cur = redis.call('GET', KEYS[1]) else cur = redis.call('HGET', KEYS[1], ARGV[1]) end
if (cur or '') ~= ARGV[2] then return 0 end
if ARGV[1] == '' then
  if ARGV[4] ~= '' then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) else redis.call('SET', KEYS[1], ARGV[3]) end
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
return 1
`;
