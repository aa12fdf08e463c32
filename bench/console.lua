-- wrk script of bench/console.sh: every request as the next signed-in user (its session cookie),
-- on the page template CONSOLE_PATH with {region} and {county} of that user.
local sessions = {}
for line in io.lines(os.getenv("CONSOLE_SESSIONS")) do
  local cookie, region, county = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
  if cookie then sessions[#sessions + 1] = { cookie = cookie, region = region, county = county } end
end
local template = os.getenv("CONSOLE_PATH")
local n = 0

function init(args)
  -- Each thread starts at a different user.
  n = math.random(#sessions)
end

function request()
  n = n % #sessions + 1
  local s = sessions[n]
  local path = template:gsub("{region}", s.region):gsub("{county}", s.county)
  return wrk.format("GET", path, { ["Cookie"] = s.cookie })
end
