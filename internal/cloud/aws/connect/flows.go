package connect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// searchPageLimit is SearchContactFlows' largest page.
const searchPageLimit = 100

// ContentSha256 is the FlowContentSha256 the adapter assumes the platform computes: the
// lower-case hex SHA-256 of the content string's UTF-8 bytes, as stored and returned. Publish
// prefers the checksum the platform reports and uses this only when it reports none.
func ContentSha256(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

func saved(flowID string) string { return flowID + ":" + DraftID }

// timeString formats a platform time for cloud.Flow, "" when absent.
func timeString(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// revisionLayout formats a flow's LastModifiedTime as its cloud.Flow Revision: to the
// millisecond, which is what the wire carries.
const revisionLayout = "2006-01-02T15:04:05.000Z07:00"

// revision is the flow's cloud.Flow Revision: its LastModifiedTime, which every change of the
// flow moves, content saved into $SAVED included; "" when the platform reports none.
func revision(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(revisionLayout)
}

// ListsRevisions reports that ListFlows and GetFlow carry every flow's Revision (its
// LastModifiedTime): a search result does not show a published flow's pending $SAVED change,
// but that change moves the revision, so cloud.BatchedFlows can tell when a listed flow is
// still what a direct read saw. It implements cloud.RevisionLister.
func (c *Client) ListsRevisions() bool { return true }

func (c *Client) describe(ctx context.Context, instanceID, contactFlowID string) (*types.ContactFlow, error) {
	const action = "DescribeContactFlow"
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	out, err := c.api.DescribeContactFlow(ctx, &sdk.DescribeContactFlowInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(contactFlowID),
	})
	if err != nil {
		return nil, c.mapError(action, err)
	}
	if out.ContactFlow == nil {
		return nil, &cloud.Error{Class: cloud.ClassTransient, Platform: cloud.PlatformAmazonConnect, Action: action,
			Message: "the response has no ContactFlow"}
	}
	return out.ContactFlow, nil
}

func flowFrom(instanceID string, f *types.ContactFlow) *cloud.Flow {
	return &cloud.Flow{
		InstanceID:  instanceID,
		ID:          aws.ToString(f.Id),
		ARN:         flowArn(aws.ToString(f.Arn)),
		Name:        aws.ToString(f.Name),
		Type:        string(f.Type),
		Description: aws.ToString(f.Description),
		UpdatedTime: timeString(f.LastModifiedTime),
		Revision:    revision(f.LastModifiedTime),
	}
}

// GetFlow observes one flow with one or two DescribeContactFlow calls. It reads "id:$SAVED"
// first: when its Status is PUBLISHED the saved content is the published one and there is no
// draft. Otherwise it reads the plain ID: ContactFlowNotPublishedException means the flow was
// never published and the saved content is its draft; else the saved content is a draft only
// when it differs from the published content. A missing flow or instance is ClassNotFound.
// Revision is the LastModifiedTime of the first read: a change between the two reads moves the
// flow past it, so a later list never passes the mixed observation off as current.
func (c *Client) GetFlow(ctx context.Context, key cloud.FlowKey) (*cloud.Flow, error) {
	sv, err := c.describe(ctx, key.InstanceID, saved(key.FlowID))
	if err != nil {
		return nil, err
	}
	f := flowFrom(key.InstanceID, sv)
	if f.ID == "" {
		f.ID = key.FlowID
	}
	savedContent := aws.ToString(sv.Content)
	if sv.Status == types.ContactFlowStatusPublished {
		f.Published, f.PublishedDefinition = true, savedContent
		return f, nil
	}
	draft := &cloud.Draft{ID: DraftID, Definition: savedContent, UpdatedTime: timeString(sv.LastModifiedTime)}
	pub, err := c.describe(ctx, key.InstanceID, key.FlowID)
	if ce := cloud.AsError(err); ce != nil && ce.Code == CodeContactFlowNotPublished {
		f.Draft = draft
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	f.Published, f.PublishedDefinition = true, aws.ToString(pub.Content)
	if savedContent != f.PublishedDefinition {
		f.Draft = draft
	}
	return f, nil
}

// ListFlows returns one page (pageNumber from 1) of the instance's flows, in the platform's
// order, through SearchContactFlows, which returns whole flows: a published flow with its
// published content, a never-published one with its saved content as the draft. A pending
// $SAVED change of a published flow is not visible in a search result, so ListFlows reports no
// draft for published flows; GetFlow does. Every listed flow carries its Revision
// (LastModifiedTime), which a saved change moves: cloud.BatchedFlows serves a listed flow only
// at a revision a direct read saw without a draft (see ListsRevisions). TotalCount is the platform's approximate total.
// Reaching page n walks the n-1 pages before it (search tokens are opaque), one call per 100
// flows.
func (c *Client) ListFlows(ctx context.Context, instanceID string, pageNumber, pageSize int) (*cloud.Page, error) {
	const action = "SearchContactFlows"
	if pageNumber < 1 || pageSize < 1 {
		return nil, &cloud.Error{Class: cloud.ClassInvalid, Platform: cloud.PlatformAmazonConnect, Action: action,
			Code: "InvalidParameter", Message: "pageNumber and pageSize must be at least 1"}
	}
	skip := (pageNumber - 1) * pageSize
	page := &cloud.Page{PageNumber: pageNumber, PageSize: pageSize, Flows: []cloud.Flow{}}
	in := &sdk.SearchContactFlowsInput{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(int32(min(searchPageLimit, skip+pageSize)))}
	err := c.search(ctx, in, func(out *sdk.SearchContactFlowsOutput) bool {
		page.TotalCount = int(aws.ToInt64(out.ApproximateTotalCount))
		for i := range out.ContactFlows {
			if skip > 0 {
				skip--
				continue
			}
			if len(page.Flows) < pageSize {
				page.Flows = append(page.Flows, listed(instanceID, &out.ContactFlows[i]))
			}
		}
		in.MaxResults = aws.Int32(int32(min(searchPageLimit, skip+pageSize-len(page.Flows))))
		return len(page.Flows) < pageSize
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// search walks SearchContactFlows' continuation tokens from in, handing each answer to page
// until page says it wants no more, or the platform has no more.
func (c *Client) search(ctx context.Context, in *sdk.SearchContactFlowsInput, page func(*sdk.SearchContactFlowsOutput) (more bool)) error {
	const action = "SearchContactFlows"
	in.NextToken = nil
	for {
		out, err := func() (*sdk.SearchContactFlowsOutput, error) {
			cctx, cancel := c.callCtx(ctx)
			defer cancel()
			return c.api.SearchContactFlows(cctx, in)
		}()
		if err != nil {
			return c.mapError(action, err)
		}
		if !page(out) || out.NextToken == nil || len(out.ContactFlows) == 0 {
			return nil
		}
		in.NextToken = out.NextToken
	}
}

// ListAllFlows returns every flow of the instance, as ListFlows shows them, in one walk of
// SearchContactFlows' continuation tokens: one call per 100 flows, where reaching each page
// through ListFlows would walk every page before it again. It implements cloud.AllFlowsLister.
func (c *Client) ListAllFlows(ctx context.Context, instanceID string) ([]cloud.Flow, error) {
	var flows []cloud.Flow
	in := &sdk.SearchContactFlowsInput{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(searchPageLimit)}
	err := c.search(ctx, in, func(out *sdk.SearchContactFlowsOutput) bool {
		for i := range out.ContactFlows {
			flows = append(flows, listed(instanceID, &out.ContactFlows[i]))
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return flows, nil
}

// FindFlowID finds the flow named name with a SearchContactFlows by exact name: one call,
// where ListFlows would walk the instance page by page. Names are unique in an instance; the
// platform's comparison is trusted only as far as the names it returns equal name exactly. It
// implements cloud.FlowFinder.
func (c *Client) FindFlowID(ctx context.Context, instanceID, name string) (string, error) {
	in := &sdk.SearchContactFlowsInput{
		InstanceId: aws.String(instanceID),
		MaxResults: aws.Int32(searchPageLimit),
		SearchCriteria: &types.ContactFlowSearchCriteria{StringCondition: &types.StringCondition{
			FieldName: aws.String("name"), Value: aws.String(name), ComparisonType: types.StringComparisonTypeExact,
		}},
	}
	id := ""
	err := c.search(ctx, in, func(out *sdk.SearchContactFlowsOutput) bool {
		for i := range out.ContactFlows {
			if f := out.ContactFlows[i]; aws.ToString(f.Name) == name {
				id = aws.ToString(f.Id)
				return false
			}
		}
		return true
	})
	return id, err
}

func listed(instanceID string, cf *types.ContactFlow) cloud.Flow {
	f := flowFrom(instanceID, cf)
	content := aws.ToString(cf.Content)
	if cf.Status == types.ContactFlowStatusPublished {
		f.Published, f.PublishedDefinition = true, content
	} else {
		f.Draft = &cloud.Draft{ID: DraftID, Definition: content, UpdatedTime: timeString(cf.LastModifiedTime)}
	}
	return *f
}

// CreateFlow creates the flow with Status SAVED (saved, not published, not validated) and
// returns its ID. An empty Type means DefaultFlowType. A name already taken is
// ClassAlreadyExists.
func (c *Client) CreateFlow(ctx context.Context, in cloud.CreateFlowInput) (string, error) {
	f, err := c.CreateFlowObserved(ctx, in)
	if err != nil {
		return "", err
	}
	return f.ID, nil
}

// CreateFlowObserved is CreateFlow that also returns what GetFlow would show right after it,
// without another call: the flow did not exist before, and the create saves the content without
// publishing it, so the flow is unpublished and its saved content (the draft) is in.Definition;
// its ID and ARN are the platform's answer. Its Revision is unknown (""), so a list never serves
// it before a direct read. It implements cloud.CreatedFlowObserver.
func (c *Client) CreateFlowObserved(ctx context.Context, in cloud.CreateFlowInput) (*cloud.Flow, error) {
	const action = "CreateContactFlow"
	typ := in.Type
	if typ == "" {
		typ = DefaultFlowType
	}
	req := &sdk.CreateContactFlowInput{
		InstanceId: aws.String(in.InstanceID),
		Name:       aws.String(in.Name),
		Type:       types.ContactFlowType(typ),
		Content:    aws.String(in.Definition),
		Status:     types.ContactFlowStatusSaved,
	}
	if in.Description != "" {
		req.Description = aws.String(in.Description)
	}
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	out, err := c.api.CreateContactFlow(ctx, req)
	if err != nil {
		return nil, c.mapError(action, err)
	}
	return &cloud.Flow{InstanceID: in.InstanceID, ID: aws.ToString(out.ContactFlowId), ARN: aws.ToString(out.ContactFlowArn),
		Name: in.Name, Type: typ, Description: in.Description,
		Draft: &cloud.Draft{ID: DraftID, Definition: in.Definition}}, nil
}

// StartEdit returns DraftID without calling the platform: every flow always has its $SAVED
// content, and Connect has no edit locks, so it never returns ClassLocked.
func (c *Client) StartEdit(_ context.Context, _ cloud.FlowKey) (string, error) {
	return DraftID, nil
}

func checkDraftID(action, draftID string) error {
	if draftID != "" && draftID != DraftID {
		return &cloud.Error{Class: cloud.ClassInvalid, Platform: cloud.PlatformAmazonConnect, Action: action,
			Code: "InvalidDraftId", Message: "a Connect flow's only draft is " + DraftID + ", not " + draftID}
	}
	return nil
}

func (c *Client) updateContent(ctx context.Context, instanceID, contactFlowID, content string) error {
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	_, err := c.api.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(contactFlowID), Content: aws.String(content),
	})
	return c.mapError("UpdateContactFlowContent", err)
}

// CommitDraft saves definition into $SAVED (UpdateContactFlowContent on "id:$SAVED", which
// does not publish) and, when description is not empty, sets the flow's description
// (UpdateContactFlowMetadata). draftID must be DraftID or empty.
func (c *Client) CommitDraft(ctx context.Context, key cloud.FlowKey, draftID, definition, description string) error {
	if err := checkDraftID("UpdateContactFlowContent", draftID); err != nil {
		return err
	}
	if err := c.updateContent(ctx, key.InstanceID, saved(key.FlowID), definition); err != nil {
		return err
	}
	if description == "" {
		return nil
	}
	const action = "UpdateContactFlowMetadata"
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	_, err := c.api.UpdateContactFlowMetadata(ctx, &sdk.UpdateContactFlowMetadataInput{
		InstanceId: aws.String(key.InstanceID), ContactFlowId: aws.String(key.FlowID), Description: aws.String(description),
	})
	return c.mapError(action, err)
}

// Publish reads the saved content ("id:$SAVED") and publishes it (UpdateContactFlowContent on
// the plain ID, which validates it: an invalid flow is ClassInvalid with the platform's
// problems). For a CAMPAIGN flow it then creates a version guarded by the content's
// FlowContentSha256. draftID must be DraftID or empty.
func (c *Client) Publish(ctx context.Context, key cloud.FlowKey, draftID string) error {
	if err := checkDraftID("UpdateContactFlowContent", draftID); err != nil {
		return err
	}
	sv, err := c.describe(ctx, key.InstanceID, saved(key.FlowID))
	if err != nil {
		return err
	}
	content := aws.ToString(sv.Content)
	if err := c.updateContent(ctx, key.InstanceID, key.FlowID, content); err != nil {
		return err
	}
	if sv.Type != types.ContactFlowTypeCampaign {
		return nil
	}
	sum := aws.ToString(sv.FlowContentSha256)
	if sum == "" {
		sum = ContentSha256(content)
	}
	_, err = c.CreateVersion(ctx, key, sum, "")
	return err
}

// CreateVersion creates the next immutable version of a CAMPAIGN flow from its published
// content and returns its number. The platform refuses it when the flow is not a CAMPAIGN flow
// or was never published (ClassInvalid), and when sha256 is not the FlowContentSha256 of the
// latest published content: that refusal means the content changed after the caller read or
// wrote it, so it is ClassTransient with Code cloud.CodeConcurrentEdit (observe and diff again),
// not ClassInvalid (which would stall the caller on a spec that is fine). An empty sha256 or
// description is not sent.
func (c *Client) CreateVersion(ctx context.Context, key cloud.FlowKey, sha256, description string) (int64, error) {
	const action = "CreateContactFlowVersion"
	req := &sdk.CreateContactFlowVersionInput{InstanceId: aws.String(key.InstanceID), ContactFlowId: aws.String(key.FlowID)}
	if sha256 != "" {
		req.FlowContentSha256 = aws.String(sha256)
	}
	if description != "" {
		req.Description = aws.String(description)
	}
	out, err := func() (*sdk.CreateContactFlowVersionOutput, error) {
		cctx, cancel := c.callCtx(ctx)
		defer cancel()
		return c.api.CreateContactFlowVersion(cctx, req)
	}()
	if err != nil {
		return 0, c.staleVersionError(ctx, key, sha256, c.mapError(action, err))
	}
	return aws.ToInt64(out.Version), nil
}

// PublishContent publishes content exactly as given (UpdateContactFlowContent on the plain ID,
// which validates it, publishes it and saves it into $SAVED) and, for a CAMPAIGN flow, creates a
// version guarded by ContentSha256(content): the checksum of the bytes sent, so that a version
// is never created of content someone else published in between (that refusal is
// ClassTransient, Code cloud.CodeConcurrentEdit; see CreateVersion). It returns the version
// number, "" for other flow types. It implements cloud.ContentPublisher.
func (c *Client) PublishContent(ctx context.Context, key cloud.FlowKey, flowType, content, description string) (string, error) {
	if err := c.updateContent(ctx, key.InstanceID, key.FlowID, content); err != nil {
		return "", err
	}
	if flowType != TypeCampaign {
		return "", nil
	}
	n, err := c.CreateVersion(ctx, key, ContentSha256(content), description)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n, 10), nil
}

// VersionDefinition returns the content of version (a version number) of the flow, with one
// DescribeContactFlow of "id:version". A version the flow does not have, or a name that is not
// a version number, is ClassNotFound.
func (c *Client) VersionDefinition(ctx context.Context, key cloud.FlowKey, version string) (string, error) {
	const action = "DescribeContactFlow"
	if n, err := strconv.ParseInt(version, 10, 64); err != nil || n < 1 {
		return "", &cloud.Error{Class: cloud.ClassNotFound, Platform: cloud.PlatformAmazonConnect, Action: action,
			Code: "InvalidVersion", Message: "Amazon Connect names flow versions by number (1, 2, ...), not " + strconv.Quote(version)}
	}
	v, err := c.describe(ctx, key.InstanceID, key.FlowID+":"+version)
	if err != nil {
		return "", err
	}
	return aws.ToString(v.Content), nil
}

// DiscardDraft puts the published content back into $SAVED. A flow that does not exist, or
// was never published (there is nothing to restore; its saved content stays), is success.
// draftID must be DraftID or empty.
func (c *Client) DiscardDraft(ctx context.Context, key cloud.FlowKey, draftID string) error {
	if err := checkDraftID("UpdateContactFlowContent", draftID); err != nil {
		return err
	}
	pub, err := c.describe(ctx, key.InstanceID, key.FlowID)
	if cloud.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	err = c.updateContent(ctx, key.InstanceID, saved(key.FlowID), aws.ToString(pub.Content))
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// DeleteFlow deletes the flow. A flow (or instance) that does not exist is success, so that a
// finalizer can always complete.
func (c *Client) DeleteFlow(ctx context.Context, key cloud.FlowKey) error {
	const action = "DeleteContactFlow"
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	_, err := c.api.DeleteContactFlow(ctx, &sdk.DeleteContactFlowInput{
		InstanceId: aws.String(key.InstanceID), ContactFlowId: aws.String(key.FlowID),
	})
	err = c.mapError(action, err)
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}
