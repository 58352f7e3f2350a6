package controller

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// scriptAction is what a reconcile does after observing a script: at most one platform
// write sequence, or a reason to wait.
type scriptAction string

const (
	// scriptNone: the script is where the spec and its review policy ask.
	scriptNone scriptAction = "None"
	// scriptModify: write the spec into the working copy (and submit it, unless reviewPolicy
	// None).
	scriptModify scriptAction = "Modify"
	// scriptWithdrawModifySubmit: the spec changed while the working copy was in review: take
	// it back, write the spec, submit again (unless reviewPolicy None).
	scriptWithdrawModifySubmit scriptAction = "WithdrawModifySubmit"
	// scriptSubmit: the working copy holds the spec and was not submitted yet.
	scriptSubmit scriptAction = "Submit"
	// scriptPublish: the spec's content passed review (reviewPolicy Publish).
	scriptPublish scriptAction = "Publish"
	// scriptRollback: apply spec.rollbackToVersion (withdrawing a pending review first).
	scriptRollback scriptAction = "Rollback"
	// scriptWait: the spec's content is in review, or the platform is busy with the script;
	// look again after the lock-retry period.
	scriptWait scriptAction = "Wait"
	// scriptRejected: the reviewers rejected the spec's content; nothing is sent until the spec
	// changes.
	scriptRejected scriptAction = "Rejected"
)

// scriptStep is one platform write, named as the platform's action.
type scriptStep string

const (
	stepWithdraw scriptStep = "WithdrawScriptReview"
	stepModify   scriptStep = "ModifyScript"
	stepSubmit   scriptStep = "SubmitScriptReview"
	stepPublish  scriptStep = "PublishScript"
	stepRollback scriptStep = "RollbackScript"
)

// scriptPlanInput is what the script planner decides from. The platform does not report a
// script's content, so the hashes say what the operator wrote, submitted and published; the
// rest is what GetScript reported.
type scriptPlanInput struct {
	// SpecHash is scriptHash of the spec.
	SpecHash string
	// ContentHash, SubmittedHash and PublishedHash are from status.
	ContentHash   string
	SubmittedHash string
	PublishedHash string
	// Status, IsDrafted, AppliedVersion and RejectReason are the live script's.
	Status         string
	IsDrafted      bool
	AppliedVersion string
	RejectReason   string
	// LiveDrift: a field the platform does report (name, industry, scene, description) differs
	// from the spec, so the working copy was changed by someone else.
	LiveDrift         bool
	ReviewPolicy      cfv1.ReviewPolicy
	RollbackToVersion string
}

// scriptPlan is the planner's answer.
type scriptPlan struct {
	Action scriptAction
	// Steps are the platform writes, in order; empty for None, Wait and Rejected.
	Steps []scriptStep
}

// planScript decides what one reconcile of a script does. It is pure, so that every status,
// hash and policy combination has a table test without a cluster.
//
// The rules, in order: a platform busy publishing or rolling back is waited for; a rollback
// asked for by the spec wins over its content; content that differs from what the operator
// wrote is written (withdrawing its own review first); then the review is driven: submit,
// wait, publish. A rejected review of the spec's content is never submitted again: only a spec
// change (a new SpecHash) moves the script on.
func planScript(in scriptPlanInput) scriptPlan {
	inReview := in.Status == cloud.ScriptStatusInReview || in.Status == cloud.ScriptStatusPublishedInReview
	approved := in.Status == cloud.ScriptStatusApproved || in.Status == cloud.ScriptStatusPublishedApproved
	published := in.AppliedVersion != ""
	policy := defaultReview(in.ReviewPolicy)

	if !inReview && strings.HasSuffix(in.Status, "_IN_PROGRESS") {
		return scriptPlan{Action: scriptWait}
	}

	if in.RollbackToVersion != "" {
		switch {
		case in.AppliedVersion == in.RollbackToVersion:
			return scriptPlan{Action: scriptNone}
		case inReview:
			return scriptPlan{Action: scriptRollback, Steps: []scriptStep{stepWithdraw, stepRollback}}
		default:
			return scriptPlan{Action: scriptRollback, Steps: []scriptStep{stepRollback}}
		}
	}

	if in.ContentHash != in.SpecHash || in.LiveDrift {
		steps := []scriptStep{stepModify}
		if policy != cfv1.ReviewPolicyNone {
			steps = append(steps, stepSubmit)
		}
		if inReview {
			return scriptPlan{Action: scriptWithdrawModifySubmit, Steps: append([]scriptStep{stepWithdraw}, steps...)}
		}
		return scriptPlan{Action: scriptModify, Steps: steps}
	}

	// The working copy holds the spec.
	switch {
	case policy == cfv1.ReviewPolicyNone:
		return scriptPlan{Action: scriptNone}
	case inReview:
		return scriptPlan{Action: scriptWait}
	case approved && policy == cfv1.ReviewPolicyPublish:
		return scriptPlan{Action: scriptPublish, Steps: []scriptStep{stepPublish}}
	case approved:
		// reviewPolicy Submit: publishing is a person's.
		return scriptPlan{Action: scriptNone}
	case published && (in.PublishedHash == in.SpecHash || !in.IsDrafted):
		// Published with the spec. Without drafted changes the applied version is the working
		// copy, which holds the spec; with them, someone else's edit waits on the console and
		// is left to them.
		return scriptPlan{Action: scriptNone}
	case in.RejectReason != "" && in.SubmittedHash == in.SpecHash:
		return scriptPlan{Action: scriptRejected}
	}
	return scriptPlan{Action: scriptSubmit, Steps: []scriptStep{stepSubmit}}
}

func defaultReview(p cfv1.ReviewPolicy) cfv1.ReviewPolicy {
	if p == "" {
		return cfv1.ReviewPolicyPublish
	}
	return p
}

// scriptHash is the canonical hash of the spec's script fields: everything CreateScript and
// ModifyScript write, and nothing else (not the review, rollback, deletion or adoption
// settings). The speech settings are JSON strings and hashed in compact form, so that a
// re-indented manifest is no change.
func scriptHash(sp cfv1.OutboundScriptSpec) string {
	canon := struct {
		Name, Industry, Scene, Description, ChatbotID string
		Content, Waveforms                            []string
		TTS, ASR, NLS                                 string
		Emotion, BargeIn, MiniPlayback, LongWait      bool
	}{
		Name: sp.ScriptName, Industry: sp.Industry, Scene: sp.Scene,
		Description: sp.ScriptDescription, ChatbotID: sp.ChatbotID,
		Content: nilIfEmpty(sp.Content), Waveforms: nilIfEmpty(sp.Waveforms),
		TTS: compactJSON(sp.Speech.TTSConfig), ASR: compactJSON(sp.Speech.ASRConfig), NLS: compactJSON(sp.Speech.NLSConfig),
		Emotion: sp.EmotionEnabled, BargeIn: sp.NewBargeInEnabled,
		MiniPlayback: sp.MiniPlaybackEnabled, LongWait: sp.LongWaitEnabled,
	}
	b, _ := json.Marshal(canon)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func nilIfEmpty(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

// compactJSON returns s without insignificant white space when it is JSON, else s unchanged.
func compactJSON(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s
	}
	return b.String()
}
