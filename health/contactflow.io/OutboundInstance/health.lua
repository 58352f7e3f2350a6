-- Argo CD health check for the contactflow-operator's resources (group contactflow.io).
--
-- Every kind of the operator writes the same conditions, each stamped with the generation it
-- describes: Ready and Synced always; Reconciling and Stalled only while they are True (the
-- way kstatus reads them). This script maps them onto Argo CD's health:
--   Stalled=True                    Degraded     (needs a change to the spec or on the platform)
--   Reconciling=True, or deleting   Progressing  (the operator is still working)
--   no status yet, or older than
--   metadata.generation             Progressing  (the operator has not looked at this spec yet)
--   Ready=True                      Healthy
--   Ready=False                     Degraded
-- The message is the Ready condition's message, which says what to do.
--
-- Argo CD runs health scripts without Lua's string library: only the language itself, base and
-- table functions are used here.

local hs = {}

local function find(conditions, ctype)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == ctype then
      return c
    end
  end
  return nil
end

local generation = obj.metadata.generation

-- A condition stamped with an older generation than the object's says nothing about its spec.
local function current(c)
  if c == nil then
    return false
  end
  if generation == nil or c.observedGeneration == nil then
    return true
  end
  return c.observedGeneration >= generation
end

local function isTrue(c)
  return c ~= nil and c.status == "True" and current(c)
end

local function messageOf(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

local conditions = nil
if obj.status ~= nil then
  conditions = obj.status.conditions
end
local ready = find(conditions, "Ready")
local stalled = find(conditions, "Stalled")
local reconciling = find(conditions, "Reconciling")

if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = messageOf(ready, "Being deleted")
  return hs
end

if ready == nil and stalled == nil and reconciling == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

if isTrue(stalled) then
  hs.status = "Degraded"
  if ready ~= nil and ready.status == "False" then
    hs.message = messageOf(ready, "Stalled")
  else
    hs.message = messageOf(stalled, "Stalled")
  end
  return hs
end

if isTrue(reconciling) then
  hs.status = "Progressing"
  hs.message = messageOf(ready, messageOf(reconciling, "Reconciling"))
  return hs
end

local observed = nil
if obj.status ~= nil then
  observed = obj.status.observedGeneration
end
if not current(ready) or (generation ~= nil and observed ~= nil and observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile generation " .. tostring(generation)
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = messageOf(ready, "Ready")
  return hs
end

if ready.status == "False" then
  hs.status = "Degraded"
  hs.message = messageOf(ready, "Not ready")
  return hs
end

hs.status = "Progressing"
hs.message = messageOf(ready, "Waiting for the operator")
return hs
