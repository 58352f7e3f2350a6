package connect

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Reference parameters: the action Parameters whose value names an object of the instance. A
// publish refuses a value that names nothing (and an empty one); saving never checks them.
const (
	ParamContactFlowID     = "ContactFlowId"
	ParamQueueID           = "QueueId"
	ParamLambdaFunctionARN = "LambdaFunctionARN"
	ParamPromptID          = "PromptId"
)

// referenceParams are the reference parameters in the order an action's problems are reported.
var referenceParams = []string{ParamContactFlowID, ParamQueueID, ParamLambdaFunctionARN, ParamPromptID}

// dynamicPrefix starts a value the flow computes at run time (a contact attribute such as
// "$.Attributes.queue"): it cannot be checked when publishing, and the platform accepts it.
const dynamicPrefix = "$."

type refAction struct {
	Identifier *string                    `json:"Identifier"`
	Parameters map[string]json.RawMessage `json:"Parameters"`
}

// referenceProblemsLocked returns the problems of content's references, in document order
// (and, within an action, in the order of referenceParams): an action's Parameters
// ContactFlowId, QueueId, LambdaFunctionARN and PromptId must name a flow, queue, associated
// function or prompt of inst. Flows, queues and prompts are named by ARN or ID; functions by
// ARN. Only these members of Parameters itself are references: nested members (such as the
// keys of UpdateContactAttributes' Attributes, which users name freely) are data. Content
// whose Actions are not an array of objects yields nothing here: ValidateContent reports that.
func referenceProblemsLocked(inst *instance, instanceID, content string) []string {
	var doc struct {
		Actions []json.RawMessage `json:"Actions"`
	}
	if json.Unmarshal([]byte(content), &doc) != nil {
		return nil
	}
	var problems []string
	for i, raw := range doc.Actions {
		var a refAction
		if json.Unmarshal(raw, &a) != nil || a.Parameters == nil {
			continue
		}
		name := fmt.Sprintf("Actions[%d]", i)
		if a.Identifier != nil && *a.Identifier != "" {
			name = fmt.Sprintf("Action %q", *a.Identifier)
		}
		for _, param := range referenceParams {
			value, ok := a.Parameters[param]
			if !ok {
				continue
			}
			if p := checkReference(inst, instanceID, param, value); p != "" {
				problems = append(problems, fmt.Sprintf("%s: Parameters.%s %s", name, param, p))
			}
		}
	}
	return problems
}

// checkReference returns what is wrong with one reference value ("" when it names an object).
func checkReference(inst *instance, instanceID, param string, raw json.RawMessage) string {
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return fmt.Sprintf("%s must be a string.", string(raw))
	}
	what := map[string]string{
		ParamContactFlowID: "flow", ParamQueueID: "queue", ParamLambdaFunctionARN: "Lambda function associated with", ParamPromptID: "prompt",
	}[param]
	if strings.TrimSpace(v) == "" {
		return fmt.Sprintf("is empty: it must name a %s instance %s.", ofOrWith(what), instanceID)
	}
	if strings.HasPrefix(v, dynamicPrefix) {
		return ""
	}
	isArn := strings.HasPrefix(v, "arn:")
	found := false
	switch param {
	case ParamContactFlowID:
		found = slices.ContainsFunc(inst.Flows, func(f *Flow) bool {
			return (isArn && f.Arn == v) || (!isArn && f.ContactFlowID == v)
		})
	case ParamQueueID, ParamPromptID:
		list := inst.Queues
		if param == ParamPromptID {
			list = inst.Prompts
		}
		found = slices.ContainsFunc(list, func(r *Resource) bool {
			return (isArn && r.Arn == v) || (!isArn && r.ID == v)
		})
	case ParamLambdaFunctionARN:
		found = isArn && slices.ContainsFunc(inst.Functions, func(r *Resource) bool { return r.Arn == v })
	}
	if found {
		return ""
	}
	return fmt.Sprintf("%q does not name a %s instance %s.", v, ofOrWith(what), instanceID)
}

func ofOrWith(what string) string {
	if strings.HasSuffix(what, " with") {
		return what
	}
	return what + " of"
}
