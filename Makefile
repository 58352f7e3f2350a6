# contactflow-operator
#
# Two commands do all the set-up on a fresh machine:
#   make demo   a local control plane, the emulator, the operator, the samples and a status table
#   make test   unit, envtest and e2e tests against a real kube-apiserver + etcd built from source

IMG ?= contactflow-operator:latest

# Tools are pinned and installed into ./bin from Go modules.
LOCALBIN ?= $(shell pwd)/bin
CONTROLLER_TOOLS_VERSION ?= v0.23.0
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
# helm is built from its Go module, with the version and default Kubernetes version (for
# `helm template` and lint's deprecation checks) set the way helm's own release build sets them.
HELM_VERSION ?= v3.22.0
HELM ?= $(LOCALBIN)/helm
CHART_DIR ?= charts/contactflow-operator

# The test control plane (etcd, kube-apiserver, kubectl) is built from Go modules by
# hack/control-plane.sh and cached outside the work tree.
K8S_VERSION ?= v1.37.2
ETCD_VERSION ?= v3.6.16
export K8S_VERSION ETCD_VERSION

GO_TEST_FLAGS ?=
TEST_TIMEOUT ?= 25m

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate CRDs and RBAC from the API markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=false webhook paths="./api/...;./internal/controller/...;./internal/webhook/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac output:webhook:artifacts:config=config/webhook
	CHART_DIR=$(CHART_DIR) hack/chart-sync.sh

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: tidy
tidy: ## Run go mod tidy.
	go mod tidy

.PHONY: control-plane
control-plane: ## Build (once) and cache etcd, kube-apiserver and kubectl from Go modules.
	@hack/control-plane.sh >/dev/null

.PHONY: test
test: manifests generate fmt vet control-plane build helm ## Run unit, envtest and e2e tests (log: test-output.log).
	TEST_TIMEOUT=$(TEST_TIMEOUT) GO_TEST_FLAGS="$(GO_TEST_FLAGS)" hack/test.sh

.PHONY: test-unit
test-unit: ## Run the tests that need no control plane.
	go test $(GO_TEST_FLAGS) ./internal/flow/... ./internal/cloud/... ./internal/emulator/...

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 30s each).
	hack/fuzz.sh $${FUZZTIME:-30s}

.PHONY: bench
bench: control-plane build ## Measure convergence, API calls per flow, idle quota share and memory (BENCH_FLAGS="-n=1000 -latency=30ms -write-qps=20", or "-platform=connect -n=200").
	KUBEBUILDER_ASSETS="$$(hack/control-plane.sh)" go test -tags bench -count=1 -run TestBench -v -timeout 90m ./test/bench/ -args $(BENCH_FLAGS)

.PHONY: chart-sync
chart-sync: ## Copy the generated CRDs, RBAC rules and webhooks into the Helm chart (manifests does).
	CHART_DIR=$(CHART_DIR) hack/chart-sync.sh

.PHONY: helm-lint
helm-lint: helm chart-sync ## Lint the Helm chart with default and non-default values.
	$(HELM) lint --strict $(CHART_DIR)
	$(HELM) lint --strict $(CHART_DIR) -f $(CHART_DIR)/ci/custom-values.yaml

.PHONY: verify
verify: generate manifests tidy fmt vet ## Regenerate, tidy, format and vet, then fail on a dirty tree.
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "The tree is not clean after generate/manifests/tidy/fmt:"; git status --porcelain; git --no-pager diff --stat; exit 1; \
	fi
	@echo "verify: clean"

##@ Build

.PHONY: build
build: generate fmt vet ## Build bin/manager, bin/emulator and bin/kubectl-contactflow.
	go build -o bin/manager ./cmd/manager
	go build -o bin/emulator ./cmd/emulator
	go build -o bin/kubectl-contactflow ./cmd/kubectl-contactflow
	go build -o bin/local-control-plane ./hack/local-control-plane

.PHONY: run
run: manifests generate fmt vet ## Run the operator from your host against the current kubeconfig.
	go run ./cmd/manager

.PHONY: demo
demo: build control-plane ## Start a local control plane, the emulator and the operator, apply the samples.
	hack/demo.sh

.PHONY: docker-build
docker-build: ## Build the operator image (needs a Docker engine).
	docker build -t $(IMG) .

.PHONY: build-installer
build-installer: manifests generate control-plane ## Render dist/install.yaml (CRDs and deployment).
	mkdir -p dist
	cd config/manager && "$$(../../hack/control-plane.sh)/kubectl" kustomize edit set image controller=$(IMG) 2>/dev/null || true
	"$$(hack/control-plane.sh)/kubectl" kustomize config/default > dist/install.yaml

##@ Deployment

KUBECTL ?= kubectl

.PHONY: install
install: manifests ## Install the CRDs into the cluster of the current kubeconfig.
	$(KUBECTL) apply --server-side -f config/crd/bases

.PHONY: uninstall
uninstall: manifests ## Remove the CRDs from the cluster.
	$(KUBECTL) delete --ignore-not-found -f config/crd/bases

.PHONY: deploy
deploy: manifests ## Deploy the operator into the cluster of the current kubeconfig.
	$(KUBECTL) apply --server-side -k config/default

.PHONY: undeploy
undeploy: ## Remove the operator from the cluster.
	$(KUBECTL) delete --ignore-not-found -k config/default

##@ Tools

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN)
$(CONTROLLER_GEN): $(LOCALBIN)
	test -x $(CONTROLLER_GEN) && $(CONTROLLER_GEN) --version | grep -q $(CONTROLLER_TOOLS_VERSION) || \
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

.PHONY: helm
helm: $(LOCALBIN) ## Build helm into ./bin from its Go module (once per HELM_VERSION).
	@test -x $(HELM) && $(HELM) version --template '{{.Version}}' | grep -qx $(HELM_VERSION) || \
	GOBIN=$(LOCALBIN) go install -ldflags "-s -w \
		-X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
		-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
		-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(word 2,$(subst ., ,$(K8S_VERSION))) \
		-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
		-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$(word 2,$(subst ., ,$(K8S_VERSION)))" \
		helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

$(LOCALBIN):
	mkdir -p $(LOCALBIN)
