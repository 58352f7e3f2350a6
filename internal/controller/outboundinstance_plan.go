package controller

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// instanceAction is the single remote action a reconcile takes after observing an instance.
type instanceAction string

const (
	// instNone: the live instance already matches the spec.
	instNone instanceAction = "None"
	// instModify: one ModifyInstance carrying the whole spec.
	instModify instanceAction = "Modify"
)

// instanceFields are the instance settings the planner compares. On the desired side they come
// from the spec; on the live side from DescribeInstance, except CallingNumbersHash, which the
// platform does not report: there it is what the operator last wrote (status).
type instanceFields struct {
	Name                      string
	Description               string
	MaxConcurrentConversation int
	CallCenterInstanceID      string
	NluServiceType            string
	CallingNumbersHash        string
}

// instancePlan is the planner's answer.
type instancePlan struct {
	Action instanceAction
	// Changes name each difference in a fixed order, as "field: live → desired", for the Event
	// and the log.
	Changes []string
}

// planInstance decides whether the instance needs a ModifyInstance. It is pure, so that every
// combination has a table test without a cluster.
//
// The platform keeps its value when a request leaves a field empty: a description, CCC
// instance, NLU service type or calling-number list can be replaced but not cleared. An empty
// desired value is therefore "no opinion", never a difference; otherwise the operator would send
// the same Modify on every resync without ever converging.
func planInstance(desired, live instanceFields) instancePlan {
	var changes []string
	str := func(field, want, got string) {
		if want != "" && want != got {
			changes = append(changes, fmt.Sprintf("%s: %q → %q", field, got, want))
		}
	}
	if desired.Name != live.Name {
		changes = append(changes, fmt.Sprintf("instanceName: %q → %q", live.Name, desired.Name))
	}
	str("instanceDescription", desired.Description, live.Description)
	if desired.MaxConcurrentConversation != live.MaxConcurrentConversation {
		changes = append(changes, fmt.Sprintf("maxConcurrentConversation: %d → %d", live.MaxConcurrentConversation, desired.MaxConcurrentConversation))
	}
	str("callCenterInstanceId", desired.CallCenterInstanceID, live.CallCenterInstanceID)
	str("nluServiceType", desired.NluServiceType, live.NluServiceType)
	if desired.CallingNumbersHash != "" && desired.CallingNumbersHash != live.CallingNumbersHash {
		changes = append(changes, fmt.Sprintf("callingNumbers: %s → %s", nonEmpty(short(live.CallingNumbersHash), "unknown"), short(desired.CallingNumbersHash)))
	}
	if len(changes) == 0 {
		return instancePlan{Action: instNone}
	}
	return instancePlan{Action: instModify, Changes: changes}
}

// callingNumbersHash is the hash status keeps of the calling numbers the operator wrote, in
// order; "" for none (which the platform cannot be told anyway).
func callingNumbersHash(numbers []string) string {
	if len(numbers) == 0 {
		return ""
	}
	b, _ := json.Marshal(numbers)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
