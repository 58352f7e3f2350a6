package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanInstance(t *testing.T) {
	nums := callingNumbersHash([]string{"05710000001", "05710000002"})
	other := callingNumbersHash([]string{"05710000009"})
	live := instanceFields{
		Name: "bot", Description: "sales", MaxConcurrentConversation: 5,
		CallCenterInstanceID: "ccc-1", NluServiceType: "Managed", CallingNumbersHash: nums,
	}
	with := func(mutate func(*instanceFields)) instanceFields {
		f := live
		mutate(&f)
		return f
	}
	tests := map[string]struct {
		desired, live instanceFields
		want          instancePlan
	}{
		"equal: nothing": {
			desired: live, live: live,
			want: instancePlan{Action: instNone},
		},
		"concurrency raised: one modify": {
			desired: with(func(f *instanceFields) { f.MaxConcurrentConversation = 8 }), live: live,
			want: instancePlan{Action: instModify, Changes: []string{"maxConcurrentConversation: 5 → 8"}},
		},
		"renamed: one modify": {
			desired: with(func(f *instanceFields) { f.Name = "bot-2" }), live: live,
			want: instancePlan{Action: instModify, Changes: []string{`instanceName: "bot" → "bot-2"`}},
		},
		"several differences: one modify naming each, in field order": {
			desired: with(func(f *instanceFields) {
				f.NluServiceType, f.Description, f.MaxConcurrentConversation = "Authorized", "collections", 2
			}),
			live: live,
			want: instancePlan{Action: instModify, Changes: []string{
				`instanceDescription: "sales" → "collections"`,
				"maxConcurrentConversation: 5 → 2",
				`nluServiceType: "Managed" → "Authorized"`,
			}},
		},
		"description emptied: cannot be cleared, no difference": {
			desired: with(func(f *instanceFields) { f.Description = "" }), live: live,
			want: instancePlan{Action: instNone},
		},
		"no CCC instance, NLU type or calling numbers in spec: platform's values kept, no difference": {
			desired: with(func(f *instanceFields) { f.CallCenterInstanceID, f.NluServiceType, f.CallingNumbersHash = "", "", "" }), live: live,
			want: instancePlan{Action: instNone},
		},
		"CCC instance set for the first time: modify": {
			desired: live, live: with(func(f *instanceFields) { f.CallCenterInstanceID = "" }),
			want: instancePlan{Action: instModify, Changes: []string{`callCenterInstanceId: "" → "ccc-1"`}},
		},
		"calling numbers changed (by what the operator wrote): modify": {
			desired: with(func(f *instanceFields) { f.CallingNumbersHash = other }), live: live,
			want: instancePlan{Action: instModify, Changes: []string{"callingNumbers: " + short(nums) + " → " + short(other)}},
		},
		"calling numbers never written (adopted instance): modify once": {
			desired: live, live: with(func(f *instanceFields) { f.CallingNumbersHash = "" }),
			want: instancePlan{Action: instModify, Changes: []string{"callingNumbers: unknown → " + short(nums)}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, planInstance(tc.desired, tc.live)); diff != "" {
				t.Errorf("planInstance() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCallingNumbersHash(t *testing.T) {
	tests := map[string]struct {
		a, b  []string
		equal bool
	}{
		"same numbers, same order":     {a: []string{"1", "2"}, b: []string{"1", "2"}, equal: true},
		"order matters":                {a: []string{"1", "2"}, b: []string{"2", "1"}},
		"nil and empty are both none":  {a: nil, b: []string{}, equal: true},
		"joined values do not collide": {a: []string{"12", "3"}, b: []string{"1", "23"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := callingNumbersHash(tc.a) == callingNumbersHash(tc.b); got != tc.equal {
				t.Errorf("equal = %t, want %t", got, tc.equal)
			}
		})
	}
	if callingNumbersHash(nil) != "" {
		t.Errorf("no numbers must hash to \"\" (no opinion)")
	}
}
