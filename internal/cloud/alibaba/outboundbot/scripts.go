package outboundbot

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkob "github.com/aliyun/alibaba-cloud-sdk-go/services/outboundbot"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// Paging of FindScriptByName: the largest page the platform serves, and a bound on the pages
// read so that a platform that keeps answering full pages cannot loop forever.
const (
	listPageSize = 100
	maxListPages = 1000
)

func scriptFromSDK(instanceID string, s *sdkob.Script) *cloud.Script {
	return &cloud.Script{
		InstanceID:                instanceID,
		ID:                        s.ScriptId,
		Name:                      s.ScriptName,
		Industry:                  s.Industry,
		Scene:                     s.Scene,
		Description:               s.ScriptDescription,
		ChatbotID:                 s.ChatbotId,
		TTSConfig:                 s.TtsConfig,
		ASRConfig:                 s.AsrConfig,
		EmotionEnabled:            s.EmotionEnable,
		NewBargeInEnabled:         s.NewBargeInEnable,
		MiniPlaybackEnabled:       s.MiniPlaybackEnable,
		LongWaitEnabled:           s.LongWaitEnable,
		MiniPlaybackConfigEnabled: s.MiniPlaybackConfigEnabled,
		Status:                    s.Status,
		IsDrafted:                 s.IsDrafted,
		DebugStatus:               s.DebugStatus,
		IsDebugDrafted:            s.IsDebugDrafted,
		AppliedVersion:            s.AppliedVersion,
		DebugVersion:              s.DebugVersion,
		RejectReason:              s.RejectReason,
		FailReason:                s.FailReason,
		UpdateTime:                millisTime(s.UpdateTime),
	}
}

// GetScript observes one script with DescribeScript, which also reports the NLS configuration
// that the Script structure lacks.
func (c *Client) GetScript(ctx context.Context, key cloud.ScriptKey) (*cloud.Script, error) {
	const action = "DescribeScript"
	var resp *sdkob.DescribeScriptResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateDescribeScriptRequest()
		req.InstanceId, req.ScriptId = key.InstanceID, key.ScriptID
		resp, err = api.DescribeScript(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	s := scriptFromSDK(key.InstanceID, &resp.Script)
	s.NLSConfig = resp.NlsConfig
	if s.TTSConfig == "" {
		s.TTSConfig = resp.TtsConfig
	}
	if s.ASRConfig == "" {
		s.ASRConfig = resp.AsrConfig
	}
	if s.ChatbotID == "" {
		s.ChatbotID = resp.ChatbotId
	}
	return s, nil
}

// FindScriptByName pages through ListScripts and returns the first script named name, nil when
// none is.
func (c *Client) FindScriptByName(ctx context.Context, instanceID, name string) (*cloud.Script, error) {
	const action = "ListScripts"
	for pageNumber := 1; pageNumber <= maxListPages; pageNumber++ {
		var resp *sdkob.ListScriptsResponse
		err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
			req := sdkob.CreateListScriptsRequest()
			req.InstanceId = instanceID
			req.PageNumber = requests.NewInteger(pageNumber)
			req.PageSize = requests.NewInteger(listPageSize)
			resp, err = api.ListScripts(req)
			return err
		})
		if err != nil {
			return nil, err
		}
		if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
			return nil, err
		}
		for i := range resp.Scripts.List {
			if resp.Scripts.List[i].ScriptName == name {
				return scriptFromSDK(instanceID, &resp.Scripts.List[i]), nil
			}
		}
		if len(resp.Scripts.List) < listPageSize || pageNumber*listPageSize >= resp.Scripts.TotalCount {
			return nil, nil
		}
	}
	return nil, nil
}

// CreateScript creates a script with CreateScript.
func (c *Client) CreateScript(ctx context.Context, instanceID string, spec cloud.ScriptSpec) (*cloud.Script, error) {
	const action = "CreateScript"
	var resp *sdkob.CreateScriptResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateCreateScriptRequest()
		req.InstanceId = instanceID
		req.ScriptName, req.Industry, req.Scene = spec.Name, spec.Industry, spec.Scene
		req.ScriptDescription, req.ChatbotId = spec.Description, spec.ChatbotID
		req.ScriptContent, req.ScriptWaveform = optList(spec.Content), optList(spec.Waveforms)
		req.MiniPlaybackConfigListJsonString = spec.MiniPlaybackConfigListJSON
		req.TtsConfig, req.AsrConfig = spec.TTSConfig, spec.ASRConfig
		req.EmotionEnable = requests.NewBoolean(spec.EmotionEnabled)
		req.NewBargeInEnable = requests.NewBoolean(spec.NewBargeInEnabled)
		req.MiniPlaybackEnable = requests.NewBoolean(spec.MiniPlaybackEnabled)
		req.LongWaitEnable = requests.NewBoolean(spec.LongWaitEnabled)
		resp, err = api.CreateScript(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	s := scriptFromSDK(instanceID, &resp.Script)
	if s.ChatbotID == "" {
		s.ChatbotID = resp.ChatbotId
	}
	return s, nil
}

// ModifyScript changes a script's working copy with ModifyScript; empty values are not sent by
// the SDK, so the platform keeps them.
func (c *Client) ModifyScript(ctx context.Context, key cloud.ScriptKey, spec cloud.ScriptSpec) (*cloud.Script, error) {
	const action = "ModifyScript"
	var resp *sdkob.ModifyScriptResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateModifyScriptRequest()
		req.InstanceId, req.ScriptId = key.InstanceID, key.ScriptID
		req.ScriptName, req.Industry, req.Scene = spec.Name, spec.Industry, spec.Scene
		req.ScriptDescription, req.ChatbotId = spec.Description, spec.ChatbotID
		req.ScriptContent, req.ScriptWaveform = optList(spec.Content), optList(spec.Waveforms)
		req.MiniPlaybackConfigListJsonString = spec.MiniPlaybackConfigListJSON
		req.TtsConfig, req.AsrConfig, req.NlsConfig = spec.TTSConfig, spec.ASRConfig, spec.NLSConfig
		req.EmotionEnable = requests.NewBoolean(spec.EmotionEnabled)
		req.NewBargeInEnable = requests.NewBoolean(spec.NewBargeInEnabled)
		req.MiniPlaybackEnable = requests.NewBoolean(spec.MiniPlaybackEnabled)
		req.LongWaitEnable = requests.NewBoolean(spec.LongWaitEnabled)
		resp, err = api.ModifyScript(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	s := scriptFromSDK(key.InstanceID, &resp.Script)
	if s.ChatbotID == "" {
		s.ChatbotID = resp.ChatbotId
	}
	return s, nil
}

// DeleteScript deletes a script. A script (or instance) that does not exist is success, so
// that a finalizer can always complete.
func (c *Client) DeleteScript(ctx context.Context, key cloud.ScriptKey) error {
	const action = "DeleteScript"
	var resp *sdkob.DeleteScriptResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateDeleteScriptRequest()
		req.InstanceId, req.ScriptId = key.InstanceID, key.ScriptID
		resp, err = api.DeleteScript(req)
		return err
	})
	if err == nil {
		err = c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success})
	}
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// SubmitScriptReview submits the working copy for review with SubmitScriptReview.
func (c *Client) SubmitScriptReview(ctx context.Context, key cloud.ScriptKey, description string) error {
	const action = "SubmitScriptReview"
	var resp *sdkob.SubmitScriptReviewResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateSubmitScriptReviewRequest()
		req.InstanceId, req.ScriptId, req.Description = key.InstanceID, key.ScriptID, description
		resp, err = api.SubmitScriptReview(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success})
}

// WithdrawScriptReview takes the script out of review with WithdrawScriptReview.
func (c *Client) WithdrawScriptReview(ctx context.Context, key cloud.ScriptKey) (*cloud.Script, error) {
	const action = "WithdrawScriptReview"
	var resp *sdkob.WithdrawScriptReviewResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateWithdrawScriptReviewRequest()
		req.InstanceId, req.ScriptId = key.InstanceID, key.ScriptID
		resp, err = api.WithdrawScriptReview(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	return scriptFromSDK(key.InstanceID, &resp.Script), nil
}

// PublishScript publishes the approved working copy with PublishScript.
func (c *Client) PublishScript(ctx context.Context, key cloud.ScriptKey, description string) error {
	const action = "PublishScript"
	var resp *sdkob.PublishScriptResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreatePublishScriptRequest()
		req.InstanceId, req.ScriptId, req.Description = key.InstanceID, key.ScriptID, description
		resp, err = api.PublishScript(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success})
}

// RollbackScript applies an earlier published version again with RollbackScript.
func (c *Client) RollbackScript(ctx context.Context, key cloud.ScriptKey, toVersion string) error {
	const action = "RollbackScript"
	var resp *sdkob.RollbackScriptResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateRollbackScriptRequest()
		req.InstanceId, req.ScriptId, req.RollbackVersion = key.InstanceID, key.ScriptID, toVersion
		resp, err = api.RollbackScript(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success})
}

// ListScriptPublishHistory returns one page of the publish history with
// ListScriptPublishHistories.
func (c *Client) ListScriptPublishHistory(ctx context.Context, key cloud.ScriptKey, pageNumber, pageSize int) (*cloud.ScriptPublishPage, error) {
	const action = "ListScriptPublishHistories"
	var resp *sdkob.ListScriptPublishHistoriesResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateListScriptPublishHistoriesRequest()
		req.InstanceId, req.ScriptId = key.InstanceID, key.ScriptID
		req.PageNumber = requests.NewInteger(pageNumber)
		req.PageSize = requests.NewInteger(pageSize)
		resp, err = api.ListScriptPublishHistories(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	h := resp.ScriptPublishHistories
	page := &cloud.ScriptPublishPage{
		PageNumber: h.PageNumber,
		PageSize:   h.PageSize,
		TotalCount: h.TotalCount,
		Records:    make([]cloud.ScriptPublishRecord, 0, len(h.List)),
	}
	for _, r := range h.List {
		rec := cloud.ScriptPublishRecord{
			InstanceID:  r.InstanceId,
			ScriptID:    r.ScriptId,
			Version:     r.ScriptVersion,
			Description: r.Description,
			PublishTime: millisTime(r.PublishTime),
		}
		if rec.InstanceID == "" {
			rec.InstanceID = key.InstanceID
		}
		if rec.ScriptID == "" {
			rec.ScriptID = key.ScriptID
		}
		page.Records = append(page.Records, rec)
	}
	return page, nil
}
