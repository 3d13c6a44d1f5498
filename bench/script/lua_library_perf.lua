-- Cost of asobi-cpoll.patch on the library functions it touches (bench/README.md "Runaway
-- scripts"): run with the patched and the unpatched `luajit` (tools/bench/run_cpoll_perf.sh).
-- Prints one line per case: name and CPU seconds (os.clock).
local function bench(name, f)
  local t0 = os.clock() f() print(string.format("%-10s %.3f", name, os.clock() - t0))
end
local s = "the quick brown fox jumps over the lazy dog 12345 key=value; other=thing"
bench("find", function() local n=0 for i=1,1e6 do n = n + (string.find(s, "%d+") or 0) end end)
bench("match", function() for i=1,1e6 do local k, v = string.match(s, "(%w+)=(%w+)") end end)
bench("gsub", function() for i=1,3e5 do local r = string.gsub(s, "%s+", "_") end end)
bench("gmatch", function() for i=1,2e5 do for w in string.gmatch(s, "%a+") do end end end)
bench("plain", function() local n=0 for i=1,2e6 do n = n + (string.find(s, "other", 1, true) or 0) end end)
bench("rep", function() for i=1,1e6 do local r = string.rep("ab", 10) end end)
bench("concat", function() local t = {"a","b","c","d","e","f"} for i=1,1e6 do local r = table.concat(t, ",") end end)
bench("sort", function() for k=1,20 do local t = {} for i=1,1e5 do t[i] = (i*7919)%100003 end table.sort(t) end end)
bench("sortf", function() for k=1,5 do local t = {} for i=1,1e5 do t[i] = (i*7919)%100003 end table.sort(t, function(a,b) return a<b end) end end)
