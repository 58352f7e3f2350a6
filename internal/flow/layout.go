package flow

// WithLayoutFrom returns a deep copy of d in which layout that d does not specify is taken from
// live, so that applying a spec written without layout keeps the boxes where the console put
// them instead of piling them up at the origin.
//
// Activities are matched by id (the first live activity with that id). An activity whose
// properties have no "position" (absent or null) takes the live one's; a nil NodeIndex takes the
// live one's. An event with an empty EdgeID takes the edge id of the live event with the same
// activity id, the same event name and the same occurrence index among events of that name (the
// k-th "complete" matches the k-th "complete"), unless that edge id is already used elsewhere in
// the result, because two arrows with one identity would confuse the console. Layout d already
// has is never overwritten, and nothing but layout is copied. live may be nil, in which case
// the result is a plain copy. A nil d returns nil. Neither input is modified.
func (d *CCCDefinition) WithLayoutFrom(live *CCCDefinition) *CCCDefinition {
	if d == nil {
		return nil
	}
	out := d.clone()
	if live == nil {
		return out
	}
	liveByID := make(map[string]*Activity, len(live.Activities))
	for i := range live.Activities {
		la := &live.Activities[i]
		if _, dup := liveByID[la.ID]; !dup && la.ID != "" {
			liveByID[la.ID] = la
		}
	}
	usedEdges := map[string]bool{}
	for _, a := range out.Activities {
		for _, e := range a.Events {
			if e.EdgeID != "" {
				usedEdges[e.EdgeID] = true
			}
		}
	}
	for i := range out.Activities {
		a := &out.Activities[i]
		la, ok := liveByID[a.ID]
		if !ok {
			continue
		}
		if a.Properties[keyPosition] == nil {
			if pos := la.Properties[keyPosition]; pos != nil {
				if a.Properties == nil {
					a.Properties = map[string]any{}
				}
				a.Properties[keyPosition] = deepCopy(pos)
			}
		}
		if a.NodeIndex == nil && la.NodeIndex != nil {
			n := *la.NodeIndex
			a.NodeIndex = &n
		}
		liveEdges := map[string][]string{}
		for _, le := range la.Events {
			liveEdges[le.Event] = append(liveEdges[le.Event], le.EdgeID)
		}
		seen := map[string]int{}
		for j := range a.Events {
			e := &a.Events[j]
			k := seen[e.Event]
			seen[e.Event]++
			if e.EdgeID != "" {
				continue
			}
			if cands := liveEdges[e.Event]; k < len(cands) && cands[k] != "" && !usedEdges[cands[k]] {
				e.EdgeID = cands[k]
				usedEdges[e.EdgeID] = true
			}
		}
	}
	return out
}

// clone deep-copies the definition so callers can mutate the result without aliasing.
func (d *CCCDefinition) clone() *CCCDefinition {
	out := &CCCDefinition{
		Description: d.Description,
		Extra:       copyMap(d.Extra),
	}
	if d.Activities != nil {
		out.Activities = make([]Activity, len(d.Activities))
	}
	for i, a := range d.Activities {
		c := Activity{
			Type:       a.Type,
			ID:         a.ID,
			Name:       a.Name,
			Properties: copyMap(a.Properties),
			Extra:      copyMap(a.Extra),
		}
		if a.NodeIndex != nil {
			n := *a.NodeIndex
			c.NodeIndex = &n
		}
		if a.Events != nil {
			c.Events = make([]Event, len(a.Events))
		}
		for j, e := range a.Events {
			ce := Event{Event: e.Event, EdgeID: e.EdgeID, Extra: copyMap(e.Extra)}
			if e.Next != nil {
				n := *e.Next
				ce.Next = &n
			}
			c.Events[j] = ce
		}
		out.Activities[i] = c
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}

// deepCopy copies the mutable shapes a decoded JSON value can have; other values are immutable
// (strings, numbers, bools) or foreign types that are shared as they are.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return copyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = deepCopy(item)
		}
		return out
	default:
		return v
	}
}
