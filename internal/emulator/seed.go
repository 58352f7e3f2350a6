package emulator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
)

// KindPhoneNumber is the Seed kind of a phone number (Name is the number).
const KindPhoneNumber = "PhoneNumber"

// Seed is a platform object that exists from the start, the way an administrator set it up on
// the console: a skill group or prompt (Alibaba platforms), a queue, prompt or function (Amazon
// Connect), or a phone number. Seeding is idempotent: an object of that kind and name already in
// a loaded state is left alone.
type Seed struct {
	Platform   string
	InstanceID string
	// Kind is SkillGroup, Prompt, Queue, Function or PhoneNumber.
	Kind string
	Name string
}

// ParseSeed reads PLATFORM:INSTANCE:KIND=NAME (ccc:ccc-demo:SkillGroup=Sales,
// connect:demo:PhoneNumber=+14155550100).
func ParseSeed(s string) (Seed, error) {
	head, name, ok := strings.Cut(s, "=")
	parts := strings.Split(head, ":")
	if !ok || name == "" || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Seed{}, fmt.Errorf("seed %q: want PLATFORM:INSTANCE:KIND=NAME, for example ccc:ccc-demo:SkillGroup=Sales", s)
	}
	return Seed{Platform: parts[0], InstanceID: parts[1], Kind: parts[2], Name: name}, nil
}

// seed creates what seeds name in their platform's instance.
func (e *Emulator) seed(seeds []Seed) error {
	for _, sd := range seeds {
		if err := e.seedOne(sd); err != nil {
			return fmt.Errorf("seed %s:%s:%s=%s: %w", sd.Platform, sd.InstanceID, sd.Kind, sd.Name, err)
		}
	}
	return nil
}

func (e *Emulator) seedOne(sd Seed) error {
	switch sd.Platform {
	case PlatformCCC:
		if sd.Kind == KindPhoneNumber {
			_, _, err := e.ccc.AddPhoneNumber(sd.InstanceID, sd.Name)
			return err
		}
		if !slices.Contains([]string{ccc.KindSkillGroup, ccc.KindPrompt}, sd.Kind) {
			return fmt.Errorf("CCC instances have skill groups, prompts and phone numbers")
		}
		// AddResource returns one of that kind and name as it is.
		_, _, err := e.ccc.AddResource(sd.InstanceID, ccc.NewResource{Kind: sd.Kind, Name: sd.Name})
		return err
	case PlatformCloudCallCenter:
		if sd.Kind == KindPhoneNumber {
			_, _, err := e.classic.AddPhoneNumber(sd.InstanceID, sd.Name)
			return err
		}
		if !slices.Contains([]string{classic.KindSkillGroup, classic.KindPrompt}, sd.Kind) {
			return fmt.Errorf("CloudCallCenter instances have skill groups, prompts and phone numbers")
		}
		_, _, err := e.classic.AddResource(sd.InstanceID, classic.NewResource{Kind: sd.Kind, Name: sd.Name})
		return err
	case PlatformConnect:
		if sd.Kind == KindPhoneNumber {
			have, err := e.connect.Numbers(sd.InstanceID)
			if err != nil {
				return err
			}
			for _, n := range have {
				if n.PhoneNumber == sd.Name {
					return nil
				}
			}
			_, err = e.connect.AddNumber(sd.InstanceID, connect.NewPhoneNumber{Number: sd.Name})
			return err
		}
		have, err := e.connect.Resources(sd.InstanceID, sd.Kind)
		if err != nil {
			return err
		}
		for _, r := range have {
			if r.Name == sd.Name {
				return nil
			}
		}
		_, err = e.connect.AddResource(sd.InstanceID, connect.NewResource{Kind: sd.Kind, Name: sd.Name})
		return err
	}
	return fmt.Errorf("platform %q has no objects to seed; use ccc, cloudcallcenter or connect", sd.Platform)
}
