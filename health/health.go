// Package health holds the Argo CD health checks of the operator's kinds and runs them the way
// Argo CD does, so that tests can hold them to fixtures and to objects read from a real API
// server.
//
// The checks are Lua scripts laid out like Argo CD's resource_customizations directory:
// <group>/<Kind>/health.lua, with health_test.yaml and testdata/ beside each. README.md says how
// to register them in argocd-cm.
package health

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Health statuses a script may return, as Argo CD names them.
const (
	Healthy     = "Healthy"
	Progressing = "Progressing"
	Degraded    = "Degraded"
	Suspended   = "Suspended"
	Missing     = "Missing"
	Unknown     = "Unknown"
)

// Status is what a health script returned.
type Status struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// scripts are the health.lua files, one per kind.
//
//go:embed */*/health.lua
var scripts embed.FS

// timeout bounds one script run, as Argo CD bounds it.
const timeout = time.Second

// Kinds lists the group/kinds that have a health script, sorted.
func Kinds() []schema.GroupKind {
	var out []schema.GroupKind
	_ = fs.WalkDir(scripts, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Base(p) == "health.lua" {
			dir := path.Dir(p)
			out = append(out, schema.GroupKind{Group: path.Dir(dir), Kind: path.Base(dir)})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Script returns the health script of a group/kind, or an error when there is none.
func Script(gk schema.GroupKind) (string, error) {
	b, err := scripts.ReadFile(path.Join(gk.Group, gk.Kind, "health.lua"))
	if err != nil {
		return "", fmt.Errorf("no health check for %s: %w", gk, err)
	}
	return string(b), nil
}

// Evaluate runs the health script of obj's group/kind on obj.
func Evaluate(obj *unstructured.Unstructured) (Status, error) {
	script, err := Script(obj.GroupVersionKind().GroupKind())
	if err != nil {
		return Status{}, err
	}
	return Run(script, obj.Object)
}

// Run runs a health script on an object the way Argo CD's Lua VM does: the object is the
// global obj (JSON numbers as Lua numbers, arrays as 1-based tables), only the base, table and
// package libraries are open (no string, os or io), the run is cut off after one second, and
// the script must return a table {status = ..., message = ...}. A status Argo CD does not know
// becomes Unknown, as it does there.
func Run(script string, obj map[string]any) (Status, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for name, open := range map[string]lua.LGFunction{
		lua.LoadLibName: lua.OpenPackage,
		lua.BaseLibName: lua.OpenBase,
		lua.TabLibName:  lua.OpenTable,
	} {
		if err := L.CallByParam(lua.P{Fn: L.NewFunction(open), NRet: 0, Protect: true}, lua.LString(name)); err != nil {
			return Status{}, fmt.Errorf("opening the Lua %s library: %w", name, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return Status{}, fmt.Errorf("running the health script: %w", err)
	}
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return Status{}, fmt.Errorf("the health script returned %s, not a table", L.Get(-1).Type())
	}
	st := Status{}
	if v, ok := ret.RawGetString("status").(lua.LString); ok {
		st.Status = string(v)
	}
	if v, ok := ret.RawGetString("message").(lua.LString); ok {
		st.Message = string(v)
	}
	switch st.Status {
	case Healthy, Progressing, Degraded, Suspended, Missing, Unknown:
		return st, nil
	}
	return Status{Status: Unknown, Message: fmt.Sprintf("the health script returned an invalid status %q", st.Status)}, nil
}

// toLua turns a decoded JSON (or unstructured) value into a Lua value.
func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return lua.LString(x.String())
		}
		return lua.LNumber(f)
	case float64:
		return lua.LNumber(x)
	case float32:
		return lua.LNumber(x)
	case int:
		return lua.LNumber(x)
	case int32:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case []any:
		t := L.CreateTable(len(x), 0)
		for _, e := range x {
			t.Append(toLua(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	}
	return lua.LNil
}
