#!lua name=muster
--
-- muster.lua -- the muster registry's only writer, as a Redis 7 Function
-- library.
--
-- Every Function takes no key names (numkeys 0) and the key prefix as its
-- first argument; the keys and fields are those of muster-registry(7).
-- Each write Function works in three steps: check every argument (any
-- bad one is an error "ERR muster: <field>: <why>" before anything is
-- touched), read what is stored (which also fails, still before any
-- write, when a key holds the wrong type), then write the change and its
-- entry in the <prefix>changes stream.  A Function runs atomically, so
-- a reader of the stream never sees a change without its entry or the
-- other way round.  Nothing is written when nothing changes.
-- Timestamps come from the server's clock (TIME), in ms since the epoch.
--
-- Load with: redis-cli -x FUNCTION LOAD REPLACE < muster.lua
--
-- SPDX-License-Identifier: BSD-2-Clause

local SCHEMA = '1'
local MAXLEN_DEFAULT = 100000
local MAX_TAGS = 64		-- musterd keeps at most 64 tags ...
local MAX_META = 64		-- ... and 64 meta entries per record
local MAX_VALUE = 1024		-- and refuses longer field values

local CHECKS = { none = true, tcp = true, http = true, https = true,
	ttl = true }
local STATUSES = { passing = true, warning = true, critical = true }

-- ---- errors -------------------------------------------------------------

-- Refuse the call: raised here, turned into an error reply by guard().
local function refuse(field, why)
	error({ muster = 'ERR muster: ' .. field .. ': ' .. why })
end

-- Wrap a Function body: a refusal, or an error reply of a command (a
-- key of the wrong type), becomes a plain error reply (error() would
-- append the script's location); anything else is raised again.
local function guard(body)
	return function(keys, args)
		local ok, res = pcall(body, args)
		if ok then
			return res
		end
		if type(res) == 'table' and res.muster then
			return redis.error_reply(res.muster)
		end
		local msg = type(res) == 'table' and res.err or res
		if type(msg) == 'string' then	-- from redis.call: "WRONGTYPE ..."
			msg = msg:gsub('^user_function:%d+: ', '')
			if msg:find('^[A-Z][A-Z]+ ') then
				return redis.error_reply(msg)
			end
		end
		error(res)
	end
end

-- ---- argument checks ----------------------------------------------------

local function need(args, i, field)
	if args[i] == nil then
		refuse(field, 'missing')
	end
	return args[i]
end

local function no_more(args, n)
	if #args > n then
		refuse('arguments', 'too many')
	end
end

-- One LDH label of 1..63 bytes, no hyphen at either end; lowercased.
local function label(field, v)
	if #v < 1 or #v > 63 or v:find('[^A-Za-z0-9-]')
	    or v:sub(1, 1) == '-' or v:sub(-1) == '-' then
		refuse(field, 'must be a DNS label (1-63 letters, digits, '
		    .. 'hyphens, no hyphen at either end)')
	end
	return v:lower()
end

local function instance_id(v)
	if #v < 1 or #v > 128 or v:find('[^A-Za-z0-9._:-]') then
		refuse('id', 'must be 1-128 characters of A-Z a-z 0-9 . _ : -')
	end
	return v
end

-- A decimal integer in [lo, hi], returned in its canonical form.
local function uint(field, v, lo, hi)
	local n = nil
	if #v >= 1 and #v <= 15 and not v:find('[^0-9]') then
		n = tonumber(v)
	end
	if n == nil or n < lo or n > hi then
		refuse(field, 'must be ' .. string.format('%d-%d', lo, hi))
	end
	return string.format('%d', n)
end

local function printable(field, v, max)
	if #v > max then
		refuse(field, 'longer than ' .. max .. ' bytes')
	end
	if v:find('[^ -~]') then
		refuse(field, 'must be printable ASCII')
	end
	return v
end

local function max_bytes(field, v, max)
	if #v > max then
		refuse(field, 'longer than ' .. max .. ' bytes')
	end
	return v
end

local function enum(field, v, set, words)
	if not set[v] then
		refuse(field, 'must be one of ' .. words)
	end
	return v
end

local function ipv4_ok(s)
	local a, b, c, d = s:match('^(%d+)%.(%d+)%.(%d+)%.(%d+)$')
	if not a then
		return false
	end
	for _, o in ipairs({ a, b, c, d }) do
		if #o > 3 or (#o > 1 and o:sub(1, 1) == '0')
		    or tonumber(o) > 255 then
			return false
		end
	end
	return true
end

-- Groups of one side of "::"; nil when bad.  tail: may end in IPv4.
local function ipv6_groups(s, tail)
	if s == '' then
		return 0
	end
	local n, parts = 0, {}
	for g in (s .. ':'):gmatch('([^:]*):') do
		parts[#parts + 1] = g
	end
	for i, g in ipairs(parts) do
		if tail and i == #parts and g:find('%.') then
			if not ipv4_ok(g) then
				return nil
			end
			n = n + 2
		elseif #g < 1 or #g > 4 or g:find('[^0-9a-f]') then
			return nil
		else
			n = n + 1
		end
	end
	return n
end

local function ipv6_ok(s)
	if #s > 45 or s:find('[^0-9a-f:.]') then
		return false
	end
	local i = s:find('::', 1, true)
	if not i then
		return ipv6_groups(s, true) == 8
	end
	if s:find('::', i + 1, true) or s:find(':::', 1, true) then
		return false
	end
	local head = ipv6_groups(s:sub(1, i - 1), false)
	local tail = ipv6_groups(s:sub(i + 2), true)
	return head ~= nil and tail ~= nil and head + tail <= 7
end

local function address(field, v)
	local s = v:lower()
	if not ipv4_ok(s) and not ipv6_ok(s) then
		refuse(field, 'must be an IPv4 or IPv6 address')
	end
	return s
end

-- "a,B,a" -> "a,b"; "" -> nil (not stored).
local function tags(v)
	if v == '' then
		return nil
	end
	local out, seen = {}, {}
	for t in (v .. ','):gmatch('([^,]*),') do
		t = label('tags', t)
		if not seen[t] then
			seen[t] = true
			out[#out + 1] = t
		end
	end
	if #out > MAX_TAGS then
		refuse('tags', 'more than ' .. MAX_TAGS .. ' tags')
	end
	local s = table.concat(out, ',')
	return max_bytes('tags', s, MAX_VALUE)
end

-- meta.<key> VALUE: key [A-Za-z0-9_-]{1,64}, "key=value" <= 255 bytes.
local function meta(field, v)
	local k = field:sub(6)
	if #k < 1 or #k > 64 or k:find('[^A-Za-z0-9_-]') then
		refuse(field, 'meta key must be 1-64 characters of '
		    .. 'A-Z a-z 0-9 _ -')
	end
	if #k + 1 + #v > 255 then
		refuse(field, 'key=value longer than 255 bytes')
	end
	return printable(field, v, 255)
end

-- FIELD VALUE pairs from args[first]: a table, each field at most once
-- (distinct meta.<key> are distinct fields); allowed(field) says which.
local function pairs_of(args, first, allowed)
	local t, nmeta = {}, 0
	for i = first, #args, 2 do
		local f, v = args[i], args[i + 1]
		if not allowed[f] and f:sub(1, 5) ~= 'meta.' then
			refuse(f, 'unknown field')
		end
		if v == nil then
			refuse(f, 'missing value')
		end
		if t[f] ~= nil then
			refuse(f, 'given twice')
		end
		if f:sub(1, 5) == 'meta.' then
			nmeta = nmeta + 1
			if nmeta > MAX_META then
				refuse('meta', 'more than ' .. MAX_META .. ' keys')
			end
		end
		t[f] = v
	end
	return t
end

-- ---- reading ------------------------------------------------------------

local function hgetall(key)
	local flat, t = redis.call('HGETALL', key), {}
	for i = 1, #flat, 2 do
		t[flat[i]] = flat[i + 1]
	end
	return t, flat
end

local function now_ms()
	local t = redis.call('TIME')
	return t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
end

-- Same fields and values, leaving out "updated"?
local function same_record(old, new)
	local n = 0
	for k, v in pairs(new) do
		if old[k] ~= v then
			return false
		end
		n = n + 1
	end
	for k in pairs(old) do
		if k ~= 'updated' then
			n = n - 1
		end
	end
	return n == 0
end

-- Fields of a record in the order they are written: ordered ones
-- first, then meta.* sorted.
local INSTANCE_ORDER = { 'service', 'address', 'port', 'node', 'dc', 'tags',
	'priority', 'weight', 'weight_warning', 'ttl' }
local CHECK_ORDER = { 'check', 'check_path', 'check_ttl', 'interval',
	'timeout', 'rise', 'fall', 'deregister_after' }
local NODE_ORDER = { 'address', 'dc' }

local function flatten(rec, before, after)
	local out, metas = {}, {}
	for _, k in ipairs(before) do
		if rec[k] then
			out[#out + 1] = k
			out[#out + 1] = rec[k]
		end
	end
	for k in pairs(rec) do
		if k:sub(1, 5) == 'meta.' then
			metas[#metas + 1] = k
		end
	end
	table.sort(metas)
	for _, k in ipairs(metas) do
		out[#out + 1] = k
		out[#out + 1] = rec[k]
	end
	for _, k in ipairs(after) do
		if rec[k] then
			out[#out + 1] = k
			out[#out + 1] = rec[k]
		end
	end
	return out
end

-- An instance's fields followed by its health fields as "health.<f>":
-- the layout of stream entries and of muster_dump.
local function instance_state(P, id)
	local out = redis.call('HGETALL', P .. 'instance:' .. id)
	local h = redis.call('HGETALL', P .. 'health:' .. id)
	for i = 1, #h, 2 do
		out[#out + 1] = 'health.' .. h[i]
		out[#out + 1] = h[i + 1]
	end
	return out
end

-- ---- writing ------------------------------------------------------------

-- Checks that must pass before the first write: the change log is a
-- stream (XADD would fail only after the change) and its length limit.
local function prepare(P)
	local ty = redis.call('TYPE', P .. 'changes')['ok']
	if ty ~= 'stream' and ty ~= 'none' then
		refuse('registry', P .. 'changes holds a ' .. ty
		    .. ', not a stream')
	end
	local m = redis.call('GET', P .. 'changes:maxlen')
	if m and not m:find('[^0-9]') and #m >= 1 and #m <= 15 then
		return m
	end
	return tostring(MAXLEN_DEFAULT)
end

local function log_change(P, maxlen, op, id, fields)
	local a = { 'XADD', P .. 'changes', 'MAXLEN', '~', maxlen, '*',
		'op', op, 'id', id }
	for _, v in ipairs(fields or {}) do
		a[#a + 1] = v
	end
	redis.call(unpack(a))
end

local function hset(key, flat)
	local a = { 'HSET', key }
	for _, v in ipairs(flat) do
		a[#a + 1] = v
	end
	redis.call(unpack(a))
end

local function mark_schema(P)
	redis.call('SET', P .. 'schema', SCHEMA, 'NX')
end

-- Remove an instance and everything of it; 1 when anything was there.
local function drop_instance(P, maxlen, id)
	local n = redis.call('SREM', P .. 'instances', id)
	n = n + redis.call('DEL', P .. 'instance:' .. id, P .. 'health:' .. id,
	    P .. 'heartbeat:' .. id)
	if n == 0 then
		return 0
	end
	mark_schema(P)
	log_change(P, maxlen, 'deregister', id)
	return 1
end

-- ---- muster_register ----------------------------------------------------

local REGISTER_FIELDS = { node = true, dc = true, tags = true,
	priority = true, weight = true, weight_warning = true, ttl = true,
	check = true, check_path = true, check_ttl = true, interval = true,
	timeout = true, rise = true, fall = true, deregister_after = true,
	status = true }

-- The check part of an instance from the given fields f into rec.
local function check_fields(f, rec)
	local check = enum('check', f.check or 'none', CHECKS,
	    'none tcp http https ttl')
	rec.check = check
	if check == 'http' or check == 'https' then
		if f.check_path == nil then
			refuse('check_path', 'required for http and https checks')
		end
		if f.check_path:sub(1, 1) ~= '/' then
			refuse('check_path', 'must start with /')
		end
		rec.check_path = printable('check_path', f.check_path, 512)
	elseif f.check_path ~= nil then
		refuse('check_path', 'only for http and https checks')
	end
	if check == 'ttl' then
		if f.check_ttl == nil then
			refuse('check_ttl', 'required for ttl checks')
		end
		rec.check_ttl = uint('check_ttl', f.check_ttl, 1000, 86400000)
	elseif f.check_ttl ~= nil then
		refuse('check_ttl', 'only for ttl checks')
	end
	if check == 'none' then
		for _, k in ipairs({ 'interval', 'timeout', 'rise', 'fall',
		    'deregister_after' }) do
			if f[k] ~= nil then
				refuse(k, 'only with a check')
			end
		end
		return
	end
	rec.interval = uint('interval', f.interval or '10000', 1000, 86400000)
	local iv = tonumber(rec.interval)
	rec.timeout = uint('timeout', f.timeout or tostring(math.min(2000, iv)),
	    100, iv)
	rec.rise = uint('rise', f.rise or '1', 1, 100)
	rec.fall = uint('fall', f.fall or '1', 1, 100)
	local ok, d = pcall(uint, 'deregister_after',
	    f.deregister_after or '0', 0, 2592000000)
	if not ok or (d ~= '0' and tonumber(d) < 60000) then
		refuse('deregister_after', 'must be 0 or 60000-2592000000')
	end
	rec.deregister_after = d
end

-- The instance record of a register call, every field checked.
local function instance_record(args)
	local rec = {}
	rec.service = label('service', need(args, 3, 'service'))
	rec.address = address('address', need(args, 4, 'address'))
	rec.port = uint('port', need(args, 5, 'port'), 1, 65535)
	local f = pairs_of(args, 6, REGISTER_FIELDS)
	if f.node then rec.node = label('node', f.node) end
	if f.dc then rec.dc = label('dc', f.dc) end
	if f.tags then rec.tags = tags(f.tags) end
	rec.priority = uint('priority', f.priority or '1', 0, 65535)
	rec.weight = uint('weight', f.weight or '1', 0, 65535)
	rec.weight_warning = uint('weight_warning', f.weight_warning or '1',
	    0, 65535)
	if f.ttl then rec.ttl = uint('ttl', f.ttl, 0, 86400) end
	for k, v in pairs(f) do
		if k:sub(1, 5) == 'meta.' then
			rec[k] = meta(k, v)
		end
	end
	check_fields(f, rec)
	local status = nil
	if f.status then
		status = enum('status', f.status, STATUSES,
		    'passing warning critical')
	end
	return rec, status
end

local function register(args)
	local P = need(args, 1, 'prefix')
	local id = instance_id(need(args, 2, 'id'))
	local rec, status = instance_record(args)
	local ikey, hkey = P .. 'instance:' .. id, P .. 'health:' .. id
	local old = hgetall(ikey)
	local health = hgetall(hkey)
	local member = redis.call('SISMEMBER', P .. 'instances', id) == 1
	local created = old.service == nil
	local same = not created and member and health.status ~= nil
	    and same_record(old, rec)
	if same and (status == nil or status == health.status) then
		return 'unchanged'
	end
	local maxlen = prepare(P)
	local now = now_ms()
	if not same then
		local flat = flatten(rec, INSTANCE_ORDER, CHECK_ORDER)
		flat[#flat + 1] = 'updated'
		flat[#flat + 1] = now
		redis.call('DEL', ikey)
		hset(ikey, flat)
		redis.call('SADD', P .. 'instances', id)
		if created or rec.check ~= 'ttl' then
			redis.call('DEL', P .. 'heartbeat:' .. id)
		end
	end
	if created or health.status == nil then
		local st, out = status, ''
		if st == nil then
			st = rec.check == 'none' and 'passing' or 'critical'
			if st == 'critical' then out = 'not yet checked' end
		end
		redis.call('DEL', hkey)
		hset(hkey, { 'status', st, 'output', out, 'since', now,
			'maint', '0', 'maint_reason', '', 'maint_since', now })
	elseif status ~= nil and status ~= health.status then
		hset(hkey, { 'status', status, 'output', '', 'since', now })
	end
	mark_schema(P)
	log_change(P, maxlen, 'register', id, instance_state(P, id))
	return created and 'created' or 'updated'
end

-- ---- health -------------------------------------------------------------

-- The stored instance and health of id; refuses an unknown id.
local function known_instance(P, id)
	local inst = hgetall(P .. 'instance:' .. id)
	if inst.service == nil then
		refuse('id', 'no such instance')
	end
	return inst, hgetall(P .. 'health:' .. id)
end

-- Maintenance fields for a health hash that lacks them (written by
-- hand or by an older writer).
local function health_fill(health, now)
	local t = {}
	if health.maint == nil then
		t = { 'maint', '0', 'maint_reason', '', 'maint_since', now }
	end
	return t
end

-- Set status (and output) of id.  only_changes: write nothing unless
-- the status changes (the prober); else also store a new output.
local function set_status(P, id, status, output, only_changes)
	local inst, health = known_instance(P, id)
	local maxlen = prepare(P)
	local hkey = P .. 'health:' .. id
	local wrote = false
	if inst.check == 'ttl' and not only_changes then
		local ms = tonumber(inst.check_ttl or '')
		if ms and ms >= 1 then
			redis.call('SET', P .. 'heartbeat:' .. id, now_ms(),
			    'PX', string.format('%d', ms))
			wrote = true
		end
	end
	local changed = health.status ~= status
	if changed then
		local now = now_ms()
		local flat = { 'status', status, 'output', output, 'since', now }
		for _, v in ipairs(health_fill(health, now)) do
			flat[#flat + 1] = v
		end
		hset(hkey, flat)
		log_change(P, maxlen, 'health', id, instance_state(P, id))
		wrote = true
	elseif not only_changes and health.output ~= output then
		hset(hkey, { 'output', output })
		wrote = true
	end
	if wrote then
		mark_schema(P)
	end
	return changed and 'changed' or 'unchanged'
end

local function status_args(args, i)
	return enum('status', need(args, i, 'status'), STATUSES,
	    'passing warning critical')
end

local function lease_held(P, token)
	if redis.call('GET', P .. 'probe:lease') ~= token then
		refuse('lease', 'not held')
	end
end

local function token_arg(args, i)
	local t = need(args, i, 'token')
	if #t < 1 then
		refuse('token', 'must not be empty')
	end
	return printable('token', t, 128)
end

-- muster_status P ID STATUS [OUTPUT]
local function status_fn(args)
	local P = need(args, 1, 'prefix')
	local id = instance_id(need(args, 2, 'id'))
	local status = status_args(args, 3)
	local output = max_bytes('output', args[4] or '', 1024)
	no_more(args, 4)
	return set_status(P, id, status, output, false)
end

-- muster_check P ID STATUS OUTPUT TOKEN
local function check_fn(args)
	local P = need(args, 1, 'prefix')
	local id = instance_id(need(args, 2, 'id'))
	local status = status_args(args, 3)
	local output = max_bytes('output', need(args, 4, 'output'), 1024)
	local token = token_arg(args, 5)
	no_more(args, 5)
	lease_held(P, token)
	return set_status(P, id, status, output, true)
end

-- muster_reap P ID TOKEN
local function reap(args)
	local P = need(args, 1, 'prefix')
	local id = instance_id(need(args, 2, 'id'))
	local token = token_arg(args, 3)
	no_more(args, 3)
	lease_held(P, token)
	local health = hgetall(P .. 'health:' .. id)
	if health.status ~= 'critical' or health.maint == '1' then
		return 0
	end
	return drop_instance(P, prepare(P), id)
end

-- muster_deregister P ID
local function deregister(args)
	local P = need(args, 1, 'prefix')
	local id = instance_id(need(args, 2, 'id'))
	no_more(args, 2)
	return drop_instance(P, prepare(P), id)
end

-- muster_maint P ID on|off [REASON]
local function maint(args)
	local P = need(args, 1, 'prefix')
	local id = instance_id(need(args, 2, 'id'))
	local on = enum('mode', need(args, 3, 'mode'), { on = true, off = true },
	    'on off') == 'on' and '1' or '0'
	local reason = max_bytes('reason', args[4] or '', 256)
	no_more(args, 4)
	local _, health = known_instance(P, id)
	local maxlen = prepare(P)
	local hkey = P .. 'health:' .. id
	local now = now_ms()
	if health.maint ~= on then
		local flat = { 'maint', on, 'maint_reason', reason,
			'maint_since', now }
		if health.status == nil then
			for _, v in ipairs({ 'status', 'critical', 'output',
			    'no health recorded', 'since', now }) do
				flat[#flat + 1] = v
			end
		end
		hset(hkey, flat)
		mark_schema(P)
		log_change(P, maxlen, 'maint', id, instance_state(P, id))
		return 'changed'
	end
	if health.maint_reason ~= reason then
		hset(hkey, { 'maint_reason', reason })
		mark_schema(P)
	end
	return 'unchanged'
end

-- ---- nodes --------------------------------------------------------------

-- muster_node P NAME ADDRESS [dc D] [meta.<k> V]...
local function node(args)
	local P = need(args, 1, 'prefix')
	local name = label('name', need(args, 2, 'name'))
	local rec = { address = address('address', need(args, 3, 'address')) }
	local f = pairs_of(args, 4, { dc = true })
	if f.dc then rec.dc = label('dc', f.dc) end
	for k, v in pairs(f) do
		if k:sub(1, 5) == 'meta.' then
			rec[k] = meta(k, v)
		end
	end
	local key = P .. 'node:' .. name
	local old = hgetall(key)
	local member = redis.call('SISMEMBER', P .. 'nodes', name) == 1
	local created = old.address == nil
	if not created and member and same_record(old, rec) then
		return 'unchanged'
	end
	local maxlen = prepare(P)
	local flat = flatten(rec, NODE_ORDER, {})
	flat[#flat + 1] = 'updated'
	flat[#flat + 1] = now_ms()
	redis.call('DEL', key)
	hset(key, flat)
	redis.call('SADD', P .. 'nodes', name)
	mark_schema(P)
	log_change(P, maxlen, 'node', name, redis.call('HGETALL', key))
	return created and 'created' or 'updated'
end

-- muster_node_delete P NAME
local function node_delete(args)
	local P = need(args, 1, 'prefix')
	local name = label('name', need(args, 2, 'name'))
	no_more(args, 2)
	local maxlen = prepare(P)
	local n = redis.call('SREM', P .. 'nodes', name)
	n = n + redis.call('DEL', P .. 'node:' .. name)
	if n == 0 then
		return 0
	end
	mark_schema(P)
	log_change(P, maxlen, 'node_delete', name)
	return 1
end

-- ---- the prober's lease -------------------------------------------------

-- muster_lease P TOKEN TTL_MS: 1 held by TOKEN (now or still), 0 not.
local function lease(args)
	local P = need(args, 1, 'prefix')
	local token = token_arg(args, 2)
	local ttl = uint('ttl_ms', need(args, 3, 'ttl_ms'), 1, 86400000)
	no_more(args, 3)
	local key = P .. 'probe:lease'
	local cur = redis.call('GET', key)
	if cur == false or cur == nil then
		redis.call('SET', key, token, 'NX', 'PX', ttl)
	elseif cur == token then
		redis.call('PEXPIRE', key, ttl)
	else
		return 0
	end
	mark_schema(P)
	return 1
end

-- muster_lease_release P TOKEN
local function lease_release(args)
	local P = need(args, 1, 'prefix')
	local token = token_arg(args, 2)
	no_more(args, 2)
	if redis.call('GET', P .. 'probe:lease') ~= token then
		return 0
	end
	redis.call('DEL', P .. 'probe:lease')
	mark_schema(P)
	return 1
end

-- ---- muster_dump --------------------------------------------------------

-- The fields of a hash; nil when the key is missing or no hash (bad
-- data a reader skips rather than failing the whole load).
local function hash_fields(key)
	if redis.call('TYPE', key)['ok'] ~= 'hash' then
		return nil
	end
	return redis.call('HGETALL', key)
end

-- muster_dump P KIND CURSOR COUNT -> { next_cursor, { id, fields, ... } }
local function dump(args)
	local P = need(args, 1, 'prefix')
	local kind = enum('kind', need(args, 2, 'kind'),
	    { instances = true, nodes = true }, 'instances nodes')
	local cursor = need(args, 3, 'cursor')
	if #cursor < 1 or #cursor > 20 or cursor:find('[^0-9]') then
		refuse('cursor', 'must be a cursor returned before, or 0')
	end
	local count = uint('count', need(args, 4, 'count'), 1, 100000)
	no_more(args, 4)
	local r = redis.call('SSCAN', P .. kind, cursor, 'COUNT', count)
	local out = {}
	for _, id in ipairs(r[2]) do
		local fields
		if kind == 'instances' then
			fields = hash_fields(P .. 'instance:' .. id)
			local h = fields and hash_fields(P .. 'health:' .. id) or {}
			for i, v in ipairs(h) do
				fields[#fields + 1] = i % 2 == 1 and 'health.' .. v or v
			end
		else
			fields = hash_fields(P .. 'node:' .. id)
		end
		if fields then
			out[#out + 1] = id
			out[#out + 1] = fields
		end
	end
	return { r[1], out }
end

-- ---- registration -------------------------------------------------------

local function fn(name, body, ro)
	redis.register_function({ function_name = name, callback = guard(body),
		flags = ro and { 'no-writes' } or {} })
end

fn('muster_version', function() return 1 end, true)
fn('muster_register', register)
fn('muster_deregister', deregister)
fn('muster_status', status_fn)
fn('muster_check', check_fn)
fn('muster_reap', reap)
fn('muster_maint', maint)
fn('muster_node', node)
fn('muster_node_delete', node_delete)
fn('muster_lease', lease)
fn('muster_lease_release', lease_release)
fn('muster_dump', dump, true)
