package connect_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const (
	instanceID = "inst-1"
	keyID      = "AKIDTEST"
	secret     = "s3cret-Connect-42"
	region     = "eu-west-2"
)

// Flow-language documents used throughout: valid ones differ in their greeting.
func validFlow(greeting string) string {
	return `{"Version":"2019-10-30","StartAction":"greet","Metadata":{"entryPointPosition":{"x":10,"y":10}},` +
		`"Actions":[{"Identifier":"greet","Type":"MessageParticipant","Parameters":{"Text":"` + greeting + `"},` +
		`"Transitions":{"NextAction":"bye","Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"}]}},` +
		`{"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
}

var (
	contentA = validFlow("Hello")
	contentB = validFlow("Bonjour")
	contentC = validFlow("Hallo")
	// badGraph is JSON but cannot be published: unknown StartAction and NextAction.
	badGraph = `{"Version":"2019-10-30","StartAction":"nowhere","Actions":[{"Identifier":"a","Type":"MessageParticipant","Transitions":{"NextAction":"missing"}}]}`
)

type env struct {
	svc   *connect.Service
	stats *core.Stats
	srv   *httptest.Server
}

func newEnv(t *testing.T, mws ...core.Middleware) *env {
	t.Helper()
	keys, err := core.NewKeyStore([]core.AccessKey{{ID: keyID, Secret: secret, User: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := connect.New(connect.Options{Instances: []string{instanceID}})
	if err != nil {
		t.Fatal(err)
	}
	stats := core.NewStats()
	front := connect.NewServer(svc, connect.ServerOptions{Keys: keys, Stats: stats, Middleware: mws})
	mux := http.NewServeMux()
	svc.RegisterAdmin(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !front.Match(r) {
			http.NotFound(w, r)
			return
		}
		front.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{svc: svc, stats: stats, srv: srv}
}

func (e *env) client(id, sec string) *sdk.Client {
	return sdk.New(sdk.Options{
		Region:           region,
		BaseEndpoint:     aws.String(e.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(id, sec, ""),
		HTTPClient:       &http.Client{Transport: detachedBody{e.srv.Client().Transport}},
		RetryMaxAttempts: 1,
		Retryer:          aws.NopRetryer{},
	})
}

// detachedBody sends a private copy of each request body: the SDK closes the body it gave the
// transport when the response headers arrive, and a transport still finishing the write then
// drops the connection under the response (the adapter does the same).
type detachedBody struct{ base http.RoundTripper }

// RoundTrip sends a clone of r with an in-memory body.
func (t detachedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return t.base.RoundTrip(r)
	}
	data, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	clone := r.Clone(r.Context())
	clone.Body = io.NopCloser(bytes.NewReader(data))
	return t.base.RoundTrip(clone)
}

// apiCode returns the error code and HTTP status the SDK decoded.
func apiCode(t *testing.T, err error) (string, int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an API error", err)
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	gotCode, gotStatus := apiCode(t, err)
	if gotCode != code || gotStatus != status {
		t.Errorf("error = %s / HTTP %d (%v), want %s / %d", gotCode, gotStatus, err, code, status)
	}
}

func create(t *testing.T, c *sdk.Client, name, typ, content string, status types.ContactFlowStatus) *sdk.CreateContactFlowOutput {
	t.Helper()
	out, err := c.CreateContactFlow(context.Background(), &sdk.CreateContactFlowInput{
		InstanceId: aws.String(instanceID), Name: aws.String(name), Type: types.ContactFlowType(typ),
		Content: aws.String(content), Status: status, Description: aws.String("d-" + name),
	})
	if err != nil {
		t.Fatalf("CreateContactFlow(%s): %v", name, err)
	}
	return out
}

func describe(t *testing.T, c *sdk.Client, id string) (*types.ContactFlow, error) {
	t.Helper()
	out, err := c.DescribeContactFlow(context.Background(), &sdk.DescribeContactFlowInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id),
	})
	if err != nil {
		return nil, err
	}
	return out.ContactFlow, nil
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestSignatureChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := &sdk.ListContactFlowsInput{InstanceId: aws.String(instanceID)}

	if _, err := e.client(keyID, secret).ListContactFlows(ctx, in); err != nil {
		t.Fatalf("signed call refused: %v", err)
	}
	_, err := e.client(keyID, "wrong-secret").ListContactFlows(ctx, in)
	wantCode(t, err, connect.CodeInvalidSignature, 403)
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("error leaks a secret: %v", err)
	}
	_, err = e.client("AKIDUNKNOWN", secret).ListContactFlows(ctx, in)
	wantCode(t, err, connect.CodeUnrecognizedClient, 403)

	st := e.stats.Snapshot()
	if st.Count(connect.Platform, "ListContactFlows") != 3 || st.ErrorCount(connect.Platform, "ListContactFlows") != 2 {
		t.Errorf("stats = %+v", st)
	}
}

// rawSigned signs a request with the SDK's signer, lets mutate change it afterwards and sends
// it.
func rawSigned(t *testing.T, e *env, method, path, body string, at time.Time, service string, mutate func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	h := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), service, region, at); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")
}

func TestSignatureRefusals(t *testing.T) {
	e := newEnv(t)
	path := "/contact-flows-summary/" + instanceID
	now := time.Now()
	tests := map[string]struct {
		method, path, body string
		at                 time.Time
		service            string
		mutate             func(*http.Request)
		wantStatus         int
		wantCode           string
	}{
		"valid":          {http.MethodGet, path, "", now, "connect", nil, 200, ""},
		"tampered query": {http.MethodGet, path, "", now, "connect", func(r *http.Request) { r.URL.RawQuery = "maxResults=1" }, 403, connect.CodeInvalidSignature},
		"tampered body": {http.MethodPost, "/search-contact-flows", `{"InstanceId":"inst-1"}`, now, "connect", func(r *http.Request) {
			// Same length, other content: only the payload hash can tell.
			r.Body = io.NopCloser(strings.NewReader(`{"InstanceId":"inst-2"}`))
		}, 403, connect.CodeInvalidSignature},
		"expired":           {http.MethodGet, path, "", now.Add(-time.Hour), "connect", nil, 403, connect.CodeInvalidSignature},
		"other service":     {http.MethodGet, path, "", now, "s3", nil, 403, connect.CodeInvalidSignature},
		"unsigned":          {http.MethodGet, path, "", now, "connect", func(r *http.Request) { r.Header.Del("Authorization") }, 403, connect.CodeMissingAuthToken},
		"malformed":         {http.MethodGet, path, "", now, "connect", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense") }, 400, connect.CodeIncompleteSignature},
		"unknown operation": {http.MethodGet, "/contact-flows/" + instanceID, "", now, "connect", nil, 404, connect.CodeUnknownOperation},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			status, code := rawSigned(t, e, tc.method, tc.path, tc.body, tc.at, tc.service, tc.mutate)
			if status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("got %d %q, want %d %q", status, code, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

func TestCreateSavedVersusPublished(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)

	pub := create(t, c, "published", "CONTACT_FLOW", contentA, "")
	if aws.ToString(pub.FlowContentSha256) != sum(contentA) || !strings.HasPrefix(aws.ToString(pub.ContactFlowArn), "arn:aws:connect:"+region+":") ||
		!strings.HasSuffix(aws.ToString(pub.ContactFlowArn), "/contact-flow/"+aws.ToString(pub.ContactFlowId)) {
		t.Errorf("create output = %+v", pub)
	}
	f, err := describe(t, c, aws.ToString(pub.ContactFlowId))
	if err != nil {
		t.Fatal(err)
	}
	want := &types.ContactFlow{
		Arn: pub.ContactFlowArn, Id: pub.ContactFlowId, Name: aws.String("published"), Description: aws.String("d-published"),
		Content: aws.String(contentA), FlowContentSha256: aws.String(sum(contentA)), Type: types.ContactFlowTypeContactFlow,
		State: types.ContactFlowStateActive, Status: types.ContactFlowStatusPublished, Tags: map[string]string{},
		LastModifiedRegion: aws.String(region), LastModifiedTime: f.LastModifiedTime,
	}
	if diff := cmp.Diff(want, f, cmp.AllowUnexported(types.ContactFlow{})); diff != "" {
		t.Errorf("published flow (-want +got):\n%s", diff)
	}
	if f.LastModifiedTime == nil || time.Since(*f.LastModifiedTime) > time.Minute {
		t.Errorf("LastModifiedTime = %v", f.LastModifiedTime)
	}

	// A SAVED flow is not validated, is not published, and shows through $SAVED only.
	saved := create(t, c, "saved", "CONTACT_FLOW", badGraph, types.ContactFlowStatusSaved)
	_, err = describe(t, c, aws.ToString(saved.ContactFlowId))
	wantCode(t, err, connect.CodeContactFlowNotPublished, 404)
	var np *types.ContactFlowNotPublishedException
	if !errors.As(err, &np) {
		t.Errorf("err = %T, want *types.ContactFlowNotPublishedException", err)
	}
	f, err = describe(t, c, aws.ToString(saved.ContactFlowId)+":$SAVED")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(f.Content) != badGraph || f.Status != types.ContactFlowStatusSaved || aws.ToString(f.FlowContentSha256) != sum(badGraph) {
		t.Errorf("saved flow = %+v", f)
	}
	// Saving still requires JSON.
	_, err = c.CreateContactFlow(context.Background(), &sdk.CreateContactFlowInput{
		InstanceId: aws.String(instanceID), Name: aws.String("junk"), Type: types.ContactFlowTypeContactFlow,
		Content: aws.String("not json"), Status: types.ContactFlowStatusSaved,
	})
	wantCode(t, err, connect.CodeInvalidContactFlow, 400)

	// Duplicate name, unknown instance, bad type.
	_, err = c.CreateContactFlow(context.Background(), &sdk.CreateContactFlowInput{
		InstanceId: aws.String(instanceID), Name: aws.String("saved"), Type: types.ContactFlowTypeContactFlow, Content: aws.String(contentA),
	})
	var dup *types.DuplicateResourceException
	if !errors.As(err, &dup) {
		t.Errorf("duplicate name: %v", err)
	}
	wantCode(t, err, connect.CodeDuplicateResource, 409)
	_, err = c.CreateContactFlow(context.Background(), &sdk.CreateContactFlowInput{
		InstanceId: aws.String("nope"), Name: aws.String("x"), Type: types.ContactFlowTypeContactFlow, Content: aws.String(contentA),
	})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown instance: %v", err)
	}
	_, err = c.CreateContactFlow(context.Background(), &sdk.CreateContactFlowInput{
		InstanceId: aws.String(instanceID), Name: aws.String("x"), Type: "NOT_A_TYPE", Content: aws.String(contentA),
	})
	wantCode(t, err, connect.CodeInvalidParameter, 400)
}

func TestSavedVersusPublishedContent(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	ctx := context.Background()
	id := aws.ToString(create(t, c, "f", "CONTACT_FLOW", contentA, types.ContactFlowStatusPublished).ContactFlowId)

	f, _ := describe(t, c, id+":$SAVED")
	if f.Status != types.ContactFlowStatusPublished || aws.ToString(f.Content) != contentA {
		t.Errorf("$SAVED of a flow without changes = %s %q", f.Status, aws.ToString(f.Content))
	}
	// Save without publishing.
	if _, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id + ":$SAVED"), Content: aws.String(contentB),
	}); err != nil {
		t.Fatal(err)
	}
	pub, _ := describe(t, c, id)
	sav, _ := describe(t, c, id+":$SAVED")
	if aws.ToString(pub.Content) != contentA || pub.Status != types.ContactFlowStatusPublished ||
		aws.ToString(sav.Content) != contentB || sav.Status != types.ContactFlowStatusSaved || aws.ToString(sav.FlowContentSha256) != sum(contentB) {
		t.Errorf("after save: published %s %q, saved %s %q", pub.Status, aws.ToString(pub.Content), sav.Status, aws.ToString(sav.Content))
	}
	latest, _ := describe(t, c, id+":$LATEST")
	if aws.ToString(latest.Content) != contentA {
		t.Errorf("$LATEST = %q", aws.ToString(latest.Content))
	}
	// Publishing validates.
	_, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(badGraph),
	})
	wantCode(t, err, connect.CodeInvalidContactFlow, 400)
	// Publishing on the plain ID publishes and saves.
	if _, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(contentC),
	}); err != nil {
		t.Fatal(err)
	}
	pub, _ = describe(t, c, id)
	sav, _ = describe(t, c, id+":$SAVED")
	if aws.ToString(pub.Content) != contentC || aws.ToString(sav.Content) != contentC || sav.Status != types.ContactFlowStatusPublished {
		t.Errorf("after publish: published %q, saved %s %q", aws.ToString(pub.Content), sav.Status, aws.ToString(sav.Content))
	}
	// ARN form of the identifier.
	byArn, err := describe(t, c, aws.ToString(pub.Arn)+":$SAVED")
	if err != nil || aws.ToString(byArn.Id) != id {
		t.Errorf("describe by ARN = %v, %v", byArn, err)
	}
}

func TestInvalidContentProblems(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	_, err := c.CreateContactFlow(context.Background(), &sdk.CreateContactFlowInput{
		InstanceId: aws.String(instanceID), Name: aws.String("bad"), Type: types.ContactFlowTypeContactFlow,
		Content: aws.String(badGraph), Status: types.ContactFlowStatusPublished,
	})
	var ice *types.InvalidContactFlowException
	if !errors.As(err, &ice) {
		t.Fatalf("err = %v, want *types.InvalidContactFlowException", err)
	}
	var got []string
	for _, p := range ice.Problems {
		got = append(got, aws.ToString(p.Message))
	}
	want := []string{
		`Action "a": NextAction "missing" does not name an action.`,
		`StartAction "nowhere" does not name an action.`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestVersions(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	ctx := context.Background()
	id := aws.ToString(create(t, c, "campaign", "CAMPAIGN", contentA, types.ContactFlowStatusPublished).ContactFlowId)
	version := func(sha string, n *int64) (*sdk.CreateContactFlowVersionOutput, error) {
		return c.CreateContactFlowVersion(ctx, &sdk.CreateContactFlowVersionInput{
			InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), FlowContentSha256: aws.String(sha),
			Description: aws.String("v for " + sha[:8]), ContactFlowVersion: n,
		})
	}
	v1, err := version(sum(contentA), nil)
	if err != nil || aws.ToInt64(v1.Version) != 1 {
		t.Fatalf("first version = %+v, %v", v1, err)
	}
	// Publish new content: the old checksum is stale now.
	if _, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(contentB),
	}); err != nil {
		t.Fatal(err)
	}
	_, err = version(sum(contentA), nil)
	var ire *types.InvalidRequestException
	if !errors.As(err, &ire) {
		t.Errorf("stale sha256: %v", err)
	}
	// A saved-only change does not move the published checksum.
	if _, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id + ":$SAVED"), Content: aws.String(contentC),
	}); err != nil {
		t.Fatal(err)
	}
	_, err = version(sum(contentC), nil)
	wantCode(t, err, connect.CodeInvalidRequest, 400)
	_, err = version(sum(contentB), aws.Int64(5))
	wantCode(t, err, connect.CodeInvalidRequest, 400)
	v2, err := version(sum(contentB), aws.Int64(2))
	if err != nil || aws.ToInt64(v2.Version) != 2 {
		t.Fatalf("second version = %+v, %v", v2, err)
	}

	// Versions are immutable snapshots.
	f1, err := describe(t, c, id+":1")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(f1.Content) != contentA || aws.ToInt64(f1.Version) != 1 || aws.ToString(f1.VersionDescription) != "v for "+sum(contentA)[:8] ||
		!strings.HasSuffix(aws.ToString(f1.Arn), id+":1") {
		t.Errorf("version 1 = %+v", f1)
	}
	_, err = c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id + ":1"), Content: aws.String(contentC),
	})
	wantCode(t, err, connect.CodeInvalidRequest, 400)
	_, err = describe(t, c, id+":9")
	wantCode(t, err, connect.CodeResourceNotFound, 404)

	var got []int64
	p := sdk.NewListContactFlowVersionsPaginator(c, &sdk.ListContactFlowVersionsInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), MaxResults: aws.Int32(1),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.ContactFlowVersionSummaryList {
			got = append(got, aws.ToInt64(v.Version))
		}
	}
	if diff := cmp.Diff([]int64{1, 2}, got); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}

	// Only CAMPAIGN flows, and only published ones, get versions.
	other := aws.ToString(create(t, c, "plain", "CONTACT_FLOW", contentA, "").ContactFlowId)
	_, err = c.CreateContactFlowVersion(ctx, &sdk.CreateContactFlowVersionInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(other), FlowContentSha256: aws.String(sum(contentA)),
	})
	wantCode(t, err, connect.CodeInvalidRequest, 400)
	unpub := aws.ToString(create(t, c, "campaign-saved", "CAMPAIGN", contentA, types.ContactFlowStatusSaved).ContactFlowId)
	_, err = c.CreateContactFlowVersion(ctx, &sdk.CreateContactFlowVersionInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(unpub),
	})
	wantCode(t, err, connect.CodeInvalidRequest, 400)
}

func TestListPagingAndSearch(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	ctx := context.Background()
	var ids []string
	for i, name := range []string{"alpha", "beta", "gamma", "delta", "epsilon"} {
		typ, status := "CONTACT_FLOW", types.ContactFlowStatusPublished
		if i%2 == 1 {
			typ, status = "CUSTOMER_QUEUE", types.ContactFlowStatusSaved
		}
		ids = append(ids, aws.ToString(create(t, c, name, typ, contentA, status).ContactFlowId))
	}
	// Deleting between pages neither skips nor repeats.
	first, err := c.ListContactFlows(ctx, &sdk.ListContactFlowsInput{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(2)})
	if err != nil || len(first.ContactFlowSummaryList) != 2 || first.NextToken == nil {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	if _, err := c.DeleteContactFlow(ctx, &sdk.DeleteContactFlowInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(ids[0])}); err != nil {
		t.Fatal(err)
	}
	got := []string{aws.ToString(first.ContactFlowSummaryList[0].Name), aws.ToString(first.ContactFlowSummaryList[1].Name)}
	p := sdk.NewListContactFlowsPaginator(c, &sdk.ListContactFlowsInput{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(2), NextToken: first.NextToken})
	pages := 1
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, s := range page.ContactFlowSummaryList {
			got = append(got, aws.ToString(s.Name))
		}
	}
	if diff := cmp.Diff([]string{"alpha", "beta", "gamma", "delta", "epsilon"}, got); diff != "" || pages != 3 {
		t.Errorf("paged names (-want +got):\n%s (pages %d)", diff, pages)
	}

	typed, err := c.ListContactFlows(ctx, &sdk.ListContactFlowsInput{
		InstanceId: aws.String(instanceID), ContactFlowTypes: []types.ContactFlowType{types.ContactFlowTypeCustomerQueue},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(typed.ContactFlowSummaryList) != 2 || typed.ContactFlowSummaryList[0].ContactFlowStatus != types.ContactFlowStatusSaved ||
		typed.NextToken != nil {
		t.Errorf("typed list = %+v", typed)
	}
	_, err = c.ListContactFlows(ctx, &sdk.ListContactFlowsInput{InstanceId: aws.String(instanceID), NextToken: aws.String("garbage")})
	wantCode(t, err, connect.CodeInvalidParameter, 400)
	_, err = c.ListContactFlows(ctx, &sdk.ListContactFlowsInput{InstanceId: aws.String("nope")})
	wantCode(t, err, connect.CodeResourceNotFound, 404)

	// Search: full flows, criteria, paging and the total.
	search := func(in *sdk.SearchContactFlowsInput) ([]types.ContactFlow, int64) {
		t.Helper()
		in.InstanceId = aws.String(instanceID)
		var all []types.ContactFlow
		var total int64
		sp := sdk.NewSearchContactFlowsPaginator(c, in)
		for sp.HasMorePages() {
			page, err := sp.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.ContactFlows...)
			total = aws.ToInt64(page.ApproximateTotalCount)
		}
		return all, total
	}
	all, total := search(&sdk.SearchContactFlowsInput{MaxResults: aws.Int32(3)})
	if len(all) != 4 || total != 4 || aws.ToString(all[0].Content) != contentA {
		t.Errorf("search all = %d flows, total %d", len(all), total)
	}
	for _, f := range all {
		if f.Type == types.ContactFlowTypeCustomerQueue && f.Status != types.ContactFlowStatusSaved {
			t.Errorf("saved flow %s searched as %s", aws.ToString(f.Name), f.Status)
		}
	}
	found, _ := search(&sdk.SearchContactFlowsInput{SearchCriteria: &types.ContactFlowSearchCriteria{
		OrConditions: []types.ContactFlowSearchCriteria{
			{StringCondition: &types.StringCondition{FieldName: aws.String("name"), ComparisonType: types.StringComparisonTypeContains, Value: aws.String("AMM")}},
			{StringCondition: &types.StringCondition{FieldName: aws.String("name"), ComparisonType: types.StringComparisonTypeExact, Value: aws.String("beta")}},
		},
		TypeCondition: types.ContactFlowTypeContactFlow,
	}})
	if len(found) != 1 || aws.ToString(found[0].Name) != "gamma" {
		t.Errorf("search by criteria = %+v", found)
	}
}

func TestMetadataTagsAndDelete(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	ctx := context.Background()
	out := create(t, c, "one", "CONTACT_FLOW", contentA, "")
	id, arn := aws.ToString(out.ContactFlowId), aws.ToString(out.ContactFlowArn)
	create(t, c, "two", "CONTACT_FLOW", contentA, "")

	_, err := c.UpdateContactFlowMetadata(ctx, &sdk.UpdateContactFlowMetadataInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Name: aws.String("two"),
	})
	wantCode(t, err, connect.CodeDuplicateResource, 409)
	if _, err := c.UpdateContactFlowMetadata(ctx, &sdk.UpdateContactFlowMetadataInput{
		InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Name: aws.String("uno"),
		Description: aws.String("renamed"), ContactFlowState: types.ContactFlowStateArchived,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx, &sdk.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "ivr", "env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &sdk.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	f, err := describe(t, c, id)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(f.Name) != "uno" || aws.ToString(f.Description) != "renamed" || f.State != types.ContactFlowStateArchived ||
		!cmp.Equal(f.Tags, map[string]string{"team": "ivr"}) {
		t.Errorf("after metadata and tags = %+v", f)
	}
	_, err = c.TagResource(ctx, &sdk.TagResourceInput{ResourceArn: aws.String(arn + "x"), Tags: map[string]string{"a": "b"}})
	wantCode(t, err, connect.CodeResourceNotFound, 404)

	if _, err := c.DeleteContactFlow(ctx, &sdk.DeleteContactFlowInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = describe(t, c, id)
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("describe after delete: %v", err)
	}
	_, err = c.DeleteContactFlow(ctx, &sdk.DeleteContactFlowInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id)})
	wantCode(t, err, connect.CodeResourceNotFound, 404)
}

func TestThrottlingAndInternalErrors(t *testing.T) {
	throttle := func(next core.Handler) core.Handler {
		return func(ctx context.Context, call *core.Call) (any, error) {
			switch call.Action {
			case "ListContactFlows":
				return nil, connect.Throttled()
			case "DescribeContactFlow":
				return nil, errors.New("emulator bug with " + secret)
			}
			return next(ctx, call)
		}
	}
	e := newEnv(t, throttle)
	c := e.client(keyID, secret)
	_, err := c.ListContactFlows(context.Background(), &sdk.ListContactFlowsInput{InstanceId: aws.String(instanceID)})
	var te *types.ThrottlingException
	if !errors.As(err, &te) {
		t.Errorf("throttled: %v", err)
	}
	wantCode(t, err, connect.CodeThrottling, 429)
	_, err = describe(t, c, "x")
	wantCode(t, err, connect.CodeInternalService, 500)
	if strings.Contains(err.Error(), secret) {
		t.Errorf("internal error leaks Go error text: %v", err)
	}
}

func TestAdminAPI(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	id := aws.ToString(create(t, c, "f", "CONTACT_FLOW", contentA, "").ContactFlowId)
	base := e.srv.URL + connect.AdminPrefix + "/instances/" + instanceID + "/flows"

	do := func(method, url string, body any, out any) int {
		t.Helper()
		var rd *bytes.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		req, _ := http.NewRequest(method, url, rd)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	var f connect.Flow
	if st := do(http.MethodPut, base+"/"+id+"/content", connect.ContentRequest{Content: contentB}, &f); st != 200 ||
		f.SavedContent != contentB || f.PublishedContent != contentA || !f.HasUnpublishedChanges() {
		t.Errorf("admin save = %d %+v", st, f)
	}
	var ae core.AdminError
	if st := do(http.MethodPut, base+"/"+id+"/content", connect.ContentRequest{Content: badGraph, Publish: true}, &ae); st != 400 ||
		ae.Code != connect.CodeInvalidContactFlow || !strings.Contains(ae.Message, "StartAction") {
		t.Errorf("admin invalid publish = %d %+v", st, ae)
	}
	if st := do(http.MethodPut, base+"/"+id+"/content", connect.ContentRequest{Content: contentC, Publish: true}, &f); st != 200 ||
		f.PublishedContent != contentC || f.SavedContent != contentC || f.PublishedContentSha256 != sum(contentC) {
		t.Errorf("admin publish = %d %+v", st, f)
	}
	var created connect.Flow
	if st := do(http.MethodPost, base, connect.NewFlow{Name: "oob", Type: "CONTACT_FLOW", Content: contentA, Status: "SAVED"}, &created); st != 201 || created.Published {
		t.Errorf("admin create = %d %+v", st, created)
	}
	var list connect.FlowsResponse
	if st := do(http.MethodGet, base, nil, &list); st != 200 || len(list.Flows) != 2 {
		t.Errorf("admin list = %d %+v", st, list)
	}
	if st := do(http.MethodDelete, base+"/"+created.ContactFlowID, nil, nil); st != 204 {
		t.Errorf("admin delete = %d", st)
	}
	if st := do(http.MethodGet, base+"/"+created.ContactFlowID, nil, &ae); st != 404 || ae.Code != connect.CodeResourceNotFound {
		t.Errorf("admin get deleted = %d %+v", st, ae)
	}
	if n := e.stats.Snapshot().PlatformTotal(connect.Platform); n != 1 {
		t.Errorf("admin calls were counted: %d cloud calls", n)
	}
}

// TestLastModifiedTimeMovesWithEveryChange checks what a client comparing LastModifiedTime
// values relies on: DescribeContactFlow (plain and $SAVED) and SearchContactFlows report the same
// LastModifiedTime for the same state, and every change moves it forward, a save into $SAVED
// included, even several changes within one millisecond of a frozen clock.
func TestLastModifiedTimeMovesWithEveryChange(t *testing.T) {
	keys, err := core.NewKeyStore([]core.AccessKey{{ID: keyID, Secret: secret, User: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	frozen := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	svc, err := connect.New(connect.Options{Instances: []string{instanceID}, Now: func() time.Time { return frozen }})
	if err != nil {
		t.Fatal(err)
	}
	front := connect.NewServer(svc, connect.ServerOptions{Keys: keys, Stats: core.NewStats()})
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	e := &env{svc: svc, srv: srv}
	c := e.client(keyID, secret)
	ctx := context.Background()
	id := aws.ToString(create(t, c, "f", "CONTACT_FLOW", contentA, types.ContactFlowStatusPublished).ContactFlowId)

	// observe returns the LastModifiedTime every read reports, failing when they disagree.
	observe := func(step string) time.Time {
		t.Helper()
		pub, err := describe(t, c, id)
		if err != nil {
			t.Fatal(err)
		}
		sav, err := describe(t, c, id+":$SAVED")
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.SearchContactFlows(ctx, &sdk.SearchContactFlowsInput{InstanceId: aws.String(instanceID)})
		if err != nil || len(out.ContactFlows) != 1 {
			t.Fatalf("%s: search = %v, %v", step, out, err)
		}
		got := aws.ToTime(pub.LastModifiedTime)
		for what, other := range map[string]*time.Time{"$SAVED": sav.LastModifiedTime, "search": out.ContactFlows[0].LastModifiedTime} {
			if !aws.ToTime(other).Equal(got) {
				t.Errorf("%s: %s LastModifiedTime %v, describe %v", step, what, aws.ToTime(other), got)
			}
		}
		if got.IsZero() {
			t.Fatalf("%s: no LastModifiedTime", step)
		}
		return got
	}
	update := func(ref, content string) {
		t.Helper()
		if _, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{
			InstanceId: aws.String(instanceID), ContactFlowId: aws.String(ref), Content: aws.String(content),
		}); err != nil {
			t.Fatal(err)
		}
	}

	last := observe("created")
	steps := []struct {
		name string
		do   func()
	}{
		{"save into $SAVED", func() { update(id+":$SAVED", contentB) }},
		{"save the same content again", func() { update(id+":$SAVED", contentB) }},
		{"publish", func() { update(id, contentC) }},
		{"metadata", func() {
			if _, err := c.UpdateContactFlowMetadata(ctx, &sdk.UpdateContactFlowMetadataInput{
				InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Description: aws.String("new"),
			}); err != nil {
				t.Fatal(err)
			}
		}},
		{"console save", func() {
			if err := svc.UpdateContent(instanceID, id+":$SAVED", contentA, ""); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, st := range steps {
		st.do()
		got := observe(st.name)
		if !got.After(last) {
			t.Errorf("after %s LastModifiedTime is %v, not after %v", st.name, got, last)
		}
		last = got
	}
	// Reads do not move it.
	if again := observe("read again"); !again.Equal(last) {
		t.Errorf("a read moved LastModifiedTime from %v to %v", last, again)
	}
}
