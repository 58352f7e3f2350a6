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

// dynamicPrefix starts a value the flow computes at run time (a contact attribute such as
// "$.Attributes.queue"): it cannot be checked when publishing, and the platform accepts it.
const dynamicPrefix = "$."

type refAction struct {
	Identifier *string                    `json:"Identifier"`
	Parameters map[string]json.RawMessage `json:"Parameters"`
}

// referenceProblemsLocked returns the problems of content's references, in document order:
// every ContactFlowId, QueueId, LambdaFunctionARN and PromptId found in an action's Parameters
// (at any depth) must name a flow, queue, associated function or prompt of inst. Flows,
// queues and prompts are named by ARN or ID; functions by ARN. Content whose Actions are not
// an array of objects yields nothing here: ValidateContent reports that.
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
		keys := make([]string, 0, len(a.Parameters))
		for k := range a.Parameters {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkParameters("Parameters."+k, k, a.Parameters[k], func(path, param string, value json.RawMessage) {
				if p := checkReference(inst, instanceID, param, value); p != "" {
					problems = append(problems, fmt.Sprintf("%s: %s %s", name, path, p))
				}
			})
		}
	}
	return problems
}

// walkParameters calls visit for every member named like a reference parameter under raw,
// with its path (Parameters.Messages[0].PromptId).
func walkParameters(path, key string, raw json.RawMessage, visit func(path, param string, value json.RawMessage)) {
	switch key {
	case ParamContactFlowID, ParamQueueID, ParamLambdaFunctionARN, ParamPromptID:
		visit(path, key, raw)
		return
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkParameters(path+"."+k, k, obj[k], visit)
		}
		return
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		for i, v := range arr {
			walkParameters(fmt.Sprintf("%s[%d]", path, i), "", v, visit)
		}
	}
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
