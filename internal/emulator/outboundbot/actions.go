package outboundbot

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

// The response shapes below carry exactly the JSON field names and types of the SDK's
// services/outboundbot structs (Instance, Script, Scripts, ScriptPublishHistories,
// PublishHistory); the SDK tests decode every answer strictly into them.

type nluProfileJSON struct {
	Endpoint  string `json:"Endpoint"`
	AgentID   string `json:"AgentId"`
	SecretKey string `json:"SecretKey"`
	AccessKey string `json:"AccessKey"`
}

type resourceTagJSON struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type instanceJSON struct {
	CreatorName               string            `json:"CreatorName"`
	OwnerName                 string            `json:"OwnerName"`
	InstanceName              string            `json:"InstanceName"`
	CreationTime              int64             `json:"CreationTime"`
	CallCenterInstanceID      string            `json:"CallCenterInstanceId"`
	Owner                     string            `json:"Owner"`
	InstanceDescription       string            `json:"InstanceDescription"`
	IsTemplateContainer       bool              `json:"IsTemplateContainer"`
	ResourceGroupID           string            `json:"ResourceGroupId"`
	NluServiceType            string            `json:"NluServiceType"`
	InstanceID                string            `json:"InstanceId"`
	IsPreset                  bool              `json:"IsPreset"`
	CreatorID                 int64             `json:"CreatorId"`
	MaxConcurrentConversation int               `json:"MaxConcurrentConversation"`
	NluProfile                nluProfileJSON    `json:"NluProfile"`
	ResourceTags              []resourceTagJSON `json:"ResourceTags"`
}

// maskedSecret is what the API shows for an NLU secret key that is set.
const maskedSecret = "******"

func toInstanceJSON(in Instance) instanceJSON {
	out := instanceJSON{
		CreatorName:               in.CreatorName,
		OwnerName:                 in.OwnerName,
		InstanceName:              in.InstanceName,
		CreationTime:              in.CreationTime,
		CallCenterInstanceID:      in.CallCenterInstanceID,
		Owner:                     strconv.FormatInt(in.CreatorID, 10),
		InstanceDescription:       in.InstanceDescription,
		ResourceGroupID:           in.ResourceGroupID,
		NluServiceType:            in.NluServiceType,
		InstanceID:                in.InstanceID,
		CreatorID:                 in.CreatorID,
		MaxConcurrentConversation: in.MaxConcurrentConversation,
		NluProfile:                nluProfileJSON{Endpoint: in.NluEndpoint, AccessKey: in.NluAccessKey},
		ResourceTags:              []resourceTagJSON{},
	}
	if in.NluSecretKey != "" {
		out.NluProfile.SecretKey = maskedSecret
	}
	return out
}

type scriptJSON struct {
	IsDrafted                 bool   `json:"IsDrafted"`
	ScriptName                string `json:"ScriptName"`
	Name                      string `json:"Name"`
	MiniPlaybackEnable        bool   `json:"MiniPlaybackEnable"`
	EmotionEnable             bool   `json:"EmotionEnable"`
	UpdateTime                int64  `json:"UpdateTime"`
	MiniPlaybackConfigEnabled bool   `json:"MiniPlaybackConfigEnabled"`
	Industry                  string `json:"Industry"`
	RejectReason              string `json:"RejectReason"`
	FailReason                string `json:"FailReason"`
	DebugStatus               string `json:"DebugStatus"`
	ScriptID                  string `json:"ScriptId"`
	Scene                     string `json:"Scene"`
	IsPreset                  bool   `json:"IsPreset"`
	LongWaitEnable            bool   `json:"LongWaitEnable"`
	ChatbotID                 string `json:"ChatbotId"`
	TtsConfig                 string `json:"TtsConfig"`
	Status                    string `json:"Status"`
	ScriptDescription         string `json:"ScriptDescription"`
	IsDebugDrafted            bool   `json:"IsDebugDrafted"`
	AsrConfig                 string `json:"AsrConfig"`
	AppliedVersion            string `json:"AppliedVersion"`
	NewBargeInEnable          bool   `json:"NewBargeInEnable"`
	DebugVersion              string `json:"DebugVersion"`
}

func toScriptJSON(sc Script) scriptJSON {
	return scriptJSON{
		IsDrafted:                 sc.IsDrafted,
		ScriptName:                sc.ScriptName,
		Name:                      sc.ScriptName,
		MiniPlaybackEnable:        sc.MiniPlaybackEnable,
		EmotionEnable:             sc.EmotionEnable,
		UpdateTime:                sc.UpdateTime,
		MiniPlaybackConfigEnabled: sc.MiniPlaybackConfigListJSON != "",
		Industry:                  sc.Industry,
		RejectReason:              sc.RejectReason,
		DebugStatus:               sc.DebugStatus,
		ScriptID:                  sc.ScriptID,
		Scene:                     sc.Scene,
		LongWaitEnable:            sc.LongWaitEnable,
		ChatbotID:                 sc.ChatbotID,
		TtsConfig:                 sc.TtsConfig,
		Status:                    sc.Status,
		ScriptDescription:         sc.ScriptDescription,
		IsDebugDrafted:            sc.IsDebugDrafted,
		AsrConfig:                 sc.AsrConfig,
		AppliedVersion:            sc.AppliedVersion,
		NewBargeInEnable:          sc.NewBargeInEnable,
		DebugVersion:              sc.DebugVersion,
	}
}

type (
	instanceResponse struct {
		Instance instanceJSON `json:"Instance"`
	}
	instancesResponse struct {
		Instances []instanceJSON `json:"Instances"`
	}
	scriptResponse struct {
		ChatbotID string     `json:"ChatbotId"`
		Script    scriptJSON `json:"Script"`
	}
	describeScriptResponse struct {
		ChatbotID string     `json:"ChatbotId"`
		TtsConfig string     `json:"TtsConfig"`
		AsrConfig string     `json:"AsrConfig"`
		NlsConfig string     `json:"NlsConfig"`
		Script    scriptJSON `json:"Script"`
	}
	withdrawResponse struct {
		Script scriptJSON `json:"Script"`
	}
	scriptsPage struct {
		TotalCount int          `json:"TotalCount"`
		PageNumber int          `json:"PageNumber"`
		PageSize   int          `json:"PageSize"`
		List       []scriptJSON `json:"List"`
	}
	listScriptsResponse struct {
		Scripts scriptsPage `json:"Scripts"`
	}
	publishHistoryJSON struct {
		PublishTime   int64  `json:"PublishTime"`
		InstanceID    string `json:"InstanceId"`
		ScriptID      string `json:"ScriptId"`
		Description   string `json:"Description"`
		ScriptVersion string `json:"ScriptVersion"`
	}
	historiesPage struct {
		PageNumber int                  `json:"PageNumber"`
		PageSize   int                  `json:"PageSize"`
		TotalCount int                  `json:"TotalCount"`
		List       []publishHistoryJSON `json:"List"`
	}
	historiesResponse struct {
		ScriptPublishHistories historiesPage `json:"ScriptPublishHistories"`
	}
)

// Envelope is the OutboundBot success body: the action's fields at the top level, next to
// RequestId, Code "OK", HttpStatusCode 200, Message "Success" and Success true. data must
// encode as a JSON object (or be nil).
func Envelope(requestID string, data any) any {
	body := map[string]any{}
	if data != nil {
		raw, err := json.Marshal(data)
		if err == nil {
			var fields map[string]json.RawMessage
			if json.Unmarshal(raw, &fields) == nil {
				for k, v := range fields {
					body[k] = v
				}
			}
		}
	}
	body["RequestId"] = requestID
	body["Code"] = "OK"
	body["HttpStatusCode"] = http.StatusOK
	body["Message"] = "Success"
	body["Success"] = true
	return body
}

// Register adds the OutboundBot 2019-12-26 instance and script actions to a POP RPC server.
func (s *Service) Register(srv *pop.Server) {
	for action, h := range map[string]core.Handler{
		"CreateInstance":             s.createInstance,
		"ModifyInstance":             s.modifyInstance,
		"DescribeInstance":           s.describeInstance,
		"ListInstances":              s.listInstances,
		"DeleteInstance":             s.deleteInstance,
		"CreateScript":               s.createScript,
		"ModifyScript":               s.modifyScript,
		"DescribeScript":             s.describeScript,
		"ListScripts":                s.listScripts,
		"DeleteScript":               s.deleteScript,
		"SubmitScriptReview":         s.submitScriptReview,
		"WithdrawScriptReview":       s.withdrawScriptReview,
		"PublishScript":              s.publishScript,
		"RollbackScript":             s.rollbackScript,
		"ListScriptPublishHistories": s.listScriptPublishHistories,
	} {
		srv.Register(pop.Route{Platform: Platform, Version: Version, Action: action, Handler: s.withFaults(h), Envelope: Envelope})
	}
}

// withFaults answers an armed fault instead of serving the call.
func (s *Service) withFaults(h core.Handler) core.Handler {
	return func(ctx context.Context, c *core.Call) (any, error) {
		if err := s.takeFault(c.Action); err != nil {
			return nil, err
		}
		return h(ctx, c)
	}
}

// optString returns a pointer to the named parameter, nil when the request does not carry it.
func optString(p core.Params, name string) *string {
	if !p.Has(name) {
		return nil
	}
	v := p.Get(name)
	return &v
}

// optBool parses a requests.Boolean parameter ("true"/"false"), nil when absent.
func optBool(p core.Params, name string) (*bool, error) {
	if !p.Has(name) {
		return nil, nil
	}
	b, err := strconv.ParseBool(p.Get(name))
	if err != nil {
		return nil, core.Errorf(http.StatusBadRequest, "InvalidParameter."+name, "The parameter %s must be true or false.", name)
	}
	return &b, nil
}

// optInt parses an integer parameter, nil when absent.
func optInt(p core.Params, name string) (*int, error) {
	n, ok, err := p.Int(name)
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, core.Errorf(http.StatusBadRequest, "InvalidParameter."+name, "The parameter %s must be an integer.", name)
	}
	return &n, nil
}

// repeated collects a repeated parameter (Name.1, Name.2, ...) in index order; nil when the
// request carries none. The SDK leaves out empty elements, so indexes may have gaps.
func repeated(p core.Params, name string) []string {
	type item struct {
		i int
		v string
	}
	var items []item
	prefix := name + "."
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(rest); err == nil && i > 0 {
			items = append(items, item{i, v})
		}
	}
	if items == nil {
		return nil
	}
	sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// pageBound validates PageNumber and PageSize: mandatory, integers within 1-100.
func pageBound(p core.Params, name string) (int, error) {
	n, ok, err := p.Int(name)
	if !ok {
		return 0, pop.Missing(name)
	}
	if err != nil || n < 1 || n > 100 {
		return 0, core.Errorf(http.StatusBadRequest, "InvalidParameter."+name,
			"The parameter %s must be an integer from 1 to 100.", name)
	}
	return n, nil
}

func pageParams(p core.Params) (pageNumber, pageSize int, err error) {
	if pageNumber, err = pageBound(p, "PageNumber"); err != nil {
		return 0, 0, err
	}
	if pageSize, err = pageBound(p, "PageSize"); err != nil {
		return 0, 0, err
	}
	return pageNumber, pageSize, nil
}

func (s *Service) createInstance(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceName", "MaxConcurrentConversation"); err != nil {
		return nil, err
	}
	maxConc, err := optInt(p, "MaxConcurrentConversation")
	if err != nil {
		return nil, err
	}
	in, err := s.CreateInstance(c.Caller.User, NewInstance{
		InstanceName:              p.Get("InstanceName"),
		InstanceDescription:       p.Get("InstanceDescription"),
		MaxConcurrentConversation: *maxConc,
		CallingNumbers:            repeated(p, "CallingNumber"),
		CallCenterInstanceID:      p.Get("CallCenterInstanceId"),
		NluServiceType:            p.Get("NluServiceType"),
		NluEndpoint:               p.Get("Endpoint"),
		NluAccessKey:              p.Get("AccessKey"),
		NluSecretKey:              p.Get("SecretKey"),
		ResourceGroupID:           p.Get("ResourceGroupId"),
	})
	if err != nil {
		return nil, err
	}
	return instanceResponse{Instance: toInstanceJSON(in)}, nil
}

func (s *Service) modifyInstance(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "MaxConcurrentConversation"); err != nil {
		return nil, err
	}
	maxConc, err := optInt(p, "MaxConcurrentConversation")
	if err != nil {
		return nil, err
	}
	in, err := s.ModifyInstance(p.Get("InstanceId"), InstanceUpdate{
		InstanceName:              optString(p, "InstanceName"),
		InstanceDescription:       optString(p, "InstanceDescription"),
		MaxConcurrentConversation: maxConc,
		CallingNumbers:            repeated(p, "CallingNumber"),
		CallCenterInstanceID:      optString(p, "CallCenterInstanceId"),
		NluServiceType:            optString(p, "NluServiceType"),
		NluEndpoint:               optString(p, "Endpoint"),
		NluAccessKey:              optString(p, "AccessKey"),
		NluSecretKey:              optString(p, "SecretKey"),
	})
	if err != nil {
		return nil, err
	}
	return instanceResponse{Instance: toInstanceJSON(in)}, nil
}

func (s *Service) describeInstance(_ context.Context, c *core.Call) (any, error) {
	if err := pop.Require(c.Params, "InstanceId"); err != nil {
		return nil, err
	}
	in, err := s.Instance(c.Params.Get("InstanceId"))
	if err != nil {
		return nil, err
	}
	return instanceResponse{Instance: toInstanceJSON(in)}, nil
}

func (s *Service) listInstances(context.Context, *core.Call) (any, error) {
	out := instancesResponse{Instances: []instanceJSON{}}
	for _, in := range s.Instances() {
		out.Instances = append(out.Instances, toInstanceJSON(in))
	}
	return out, nil
}

func (s *Service) deleteInstance(_ context.Context, c *core.Call) (any, error) {
	if err := pop.Require(c.Params, "InstanceId"); err != nil {
		return nil, err
	}
	return nil, s.DeleteInstance(c.Params.Get("InstanceId"))
}

// scriptUpdate reads the ModifyScript (and CreateScript) parameters the request carries.
func scriptUpdate(p core.Params) (ScriptUpdate, error) {
	u := ScriptUpdate{
		ScriptName:                 optString(p, "ScriptName"),
		Industry:                   optString(p, "Industry"),
		Scene:                      optString(p, "Scene"),
		ScriptDescription:          optString(p, "ScriptDescription"),
		ChatbotID:                  optString(p, "ChatbotId"),
		ScriptContent:              repeated(p, "ScriptContent"),
		ScriptWaveform:             repeated(p, "ScriptWaveform"),
		MiniPlaybackConfigListJSON: optString(p, "MiniPlaybackConfigListJsonString"),
		TtsConfig:                  optString(p, "TtsConfig"),
		AsrConfig:                  optString(p, "AsrConfig"),
		NlsConfig:                  optString(p, "NlsConfig"),
	}
	for name, dst := range map[string]**bool{
		"EmotionEnable":      &u.EmotionEnable,
		"NewBargeInEnable":   &u.NewBargeInEnable,
		"MiniPlaybackEnable": &u.MiniPlaybackEnable,
		"LongWaitEnable":     &u.LongWaitEnable,
	} {
		b, err := optBool(p, name)
		if err != nil {
			return ScriptUpdate{}, err
		}
		*dst = b
	}
	return u, nil
}

func (s *Service) createScript(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptName", "Industry", "Scene"); err != nil {
		return nil, err
	}
	u, err := scriptUpdate(p)
	if err != nil {
		return nil, err
	}
	deref := func(v *string) string {
		if v == nil {
			return ""
		}
		return *v
	}
	derefB := func(v *bool) bool { return v != nil && *v }
	sc, err := s.CreateScript(p.Get("InstanceId"), c.Caller.User, ScriptFields{
		ScriptName:                 deref(u.ScriptName),
		Industry:                   deref(u.Industry),
		Scene:                      deref(u.Scene),
		ScriptDescription:          deref(u.ScriptDescription),
		ChatbotID:                  deref(u.ChatbotID),
		ScriptContent:              u.ScriptContent,
		ScriptWaveform:             u.ScriptWaveform,
		MiniPlaybackConfigListJSON: deref(u.MiniPlaybackConfigListJSON),
		TtsConfig:                  deref(u.TtsConfig),
		AsrConfig:                  deref(u.AsrConfig),
		// CreateScript carries no NlsConfig.
		EmotionEnable:      derefB(u.EmotionEnable),
		NewBargeInEnable:   derefB(u.NewBargeInEnable),
		MiniPlaybackEnable: derefB(u.MiniPlaybackEnable),
		LongWaitEnable:     derefB(u.LongWaitEnable),
	})
	if err != nil {
		return nil, err
	}
	return scriptResponse{ChatbotID: sc.ChatbotID, Script: toScriptJSON(sc)}, nil
}

func (s *Service) modifyScript(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId"); err != nil {
		return nil, err
	}
	u, err := scriptUpdate(p)
	if err != nil {
		return nil, err
	}
	sc, err := s.ModifyScript(p.Get("InstanceId"), p.Get("ScriptId"), u)
	if err != nil {
		return nil, err
	}
	return scriptResponse{ChatbotID: sc.ChatbotID, Script: toScriptJSON(sc)}, nil
}

func (s *Service) describeScript(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId"); err != nil {
		return nil, err
	}
	sc, err := s.Script(p.Get("InstanceId"), p.Get("ScriptId"))
	if err != nil {
		return nil, err
	}
	return describeScriptResponse{
		ChatbotID: sc.ChatbotID,
		TtsConfig: sc.TtsConfig,
		AsrConfig: sc.AsrConfig,
		NlsConfig: sc.NlsConfig,
		Script:    toScriptJSON(sc),
	}, nil
}

func (s *Service) listScripts(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId"); err != nil {
		return nil, err
	}
	pageNumber, pageSize, err := pageParams(p)
	if err != nil {
		return nil, err
	}
	scripts, total, err := s.ListScripts(p.Get("InstanceId"), pageNumber, pageSize)
	if err != nil {
		return nil, err
	}
	out := listScriptsResponse{Scripts: scriptsPage{TotalCount: total, PageNumber: pageNumber, PageSize: pageSize, List: []scriptJSON{}}}
	for _, sc := range scripts {
		out.Scripts.List = append(out.Scripts.List, toScriptJSON(sc))
	}
	return out, nil
}

func (s *Service) deleteScript(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId"); err != nil {
		return nil, err
	}
	return nil, s.DeleteScript(p.Get("InstanceId"), p.Get("ScriptId"))
}

func (s *Service) submitScriptReview(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId"); err != nil {
		return nil, err
	}
	_, err := s.SubmitReview(p.Get("InstanceId"), p.Get("ScriptId"), p.Get("Description"))
	return nil, err
}

func (s *Service) withdrawScriptReview(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId"); err != nil {
		return nil, err
	}
	sc, err := s.WithdrawReview(p.Get("InstanceId"), p.Get("ScriptId"))
	if err != nil {
		return nil, err
	}
	return withdrawResponse{Script: toScriptJSON(sc)}, nil
}

func (s *Service) publishScript(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId"); err != nil {
		return nil, err
	}
	_, err := s.Publish(p.Get("InstanceId"), p.Get("ScriptId"), p.Get("Description"))
	return nil, err
}

func (s *Service) rollbackScript(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId", "RollbackVersion"); err != nil {
		return nil, err
	}
	_, err := s.Rollback(p.Get("InstanceId"), p.Get("ScriptId"), p.Get("RollbackVersion"))
	return nil, err
}

func (s *Service) listScriptPublishHistories(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ScriptId"); err != nil {
		return nil, err
	}
	pageNumber, pageSize, err := pageParams(p)
	if err != nil {
		return nil, err
	}
	instanceID, scriptID := p.Get("InstanceId"), p.Get("ScriptId")
	records, total, err := s.PublishHistory(instanceID, scriptID, pageNumber, pageSize)
	if err != nil {
		return nil, err
	}
	out := historiesResponse{ScriptPublishHistories: historiesPage{PageNumber: pageNumber, PageSize: pageSize, TotalCount: total, List: []publishHistoryJSON{}}}
	for _, r := range records {
		out.ScriptPublishHistories.List = append(out.ScriptPublishHistories.List, publishHistoryJSON{
			PublishTime: r.PublishTime, InstanceID: instanceID, ScriptID: scriptID,
			Description: r.Description, ScriptVersion: r.ScriptVersion,
		})
	}
	return out, nil
}
