package emulator

import "github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"

// Classic CloudCallCenter directory admin types. CloudCallCenterAdminClient is an alias of
// classic.AdminClient, so its AddResource and Resources methods live in that package
// (classic/client_directory.go); these aliases name what they take and return.
type (
	// CloudCallCenterResource is a skill group or media of a classic instance.
	CloudCallCenterResource = classic.Resource
	// CloudCallCenterNewResource describes a skill group or media to add (Kind
	// classic.KindSkillGroup or classic.KindPrompt).
	CloudCallCenterNewResource = classic.NewResource
)
