#!/usr/bin/env bash
# Copies what controller-gen generates (and the hand-written leader-election Role) into the Helm
# chart, so that the chart and kustomize install the same CRDs, grant the same permissions and
# register the same webhooks. `make manifests` runs it; the chart's tests fail when a copy is
# stale. Never edit the copies in the chart by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
chart=${CHART_DIR:-charts/contactflow-operator}

# crds/ holds exactly config/crd/bases: a CRD removed there goes here too.
mkdir -p "$chart/crds"
rm -f "$chart"/crds/*.yaml
cp config/crd/bases/*.yaml "$chart/crds/"

mkdir -p "$chart/files/rbac" "$chart/files/webhook"
cp config/rbac/role.yaml "$chart/files/rbac/manager-role.yaml"
cp config/rbac/leader_election_role.yaml "$chart/files/rbac/leader-election-role.yaml"
if [[ -f config/webhook/manifests.yaml ]]; then
  cp config/webhook/manifests.yaml "$chart/files/webhook/manifests.yaml"
fi
