#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kubectl) from their Go modules and
# caches the binaries outside the work tree, keyed by version. Prints the directory to use as
# KUBEBUILDER_ASSETS. A second run finds the cache and returns at once.
#
# Nothing is downloaded but Go modules: etcd comes from go.etcd.io/etcd/server/v3 and the
# Kubernetes binaries from k8s.io/kubernetes, built in small throwaway helper modules.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
CACHE_ROOT=${CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/contactflow-operator/control-plane}
DEST="$CACHE_ROOT/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_$(go env GOOS)-$(go env GOARCH)"

log() { echo "control-plane: $*" >&2; }

have_all() {
  [[ -x "$DEST/etcd" && -x "$DEST/kube-apiserver" && -x "$DEST/kubectl" ]]
}

if have_all; then
  echo "$DEST"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
# One builder at a time: parallel `make test` and `make demo` share the cache.
exec 9>"$CACHE_ROOT/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if have_all; then
  echo "$DEST"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DEST.partial"

export GOFLAGS=-mod=mod
export CGO_ENABLED=0

build_etcd() {
  local dir="$work/etcd"
  mkdir -p "$dir"
  cat >"$dir/go.mod" <<MOD
module controlplane.local/etcd

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION

replace (
	go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 $ETCD_VERSION
	go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 $ETCD_VERSION
)
MOD
  cat >"$dir/tools.go" <<'SRC'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
SRC
  (cd "$dir" && go mod tidy >/dev/null 2>&1 || true
   cd "$dir" && go build -trimpath -o "$DEST.partial/etcd" go.etcd.io/etcd/server/v3)
}

build_kube() {
  local dir="$work/kube"
  mkdir -p "$dir"
  # The staging modules k8s.io/kubernetes replaces with local paths are published on their own
  # as v0.<minor>.<patch>; point every one of them at that release.
  local staging_version="v0.${K8S_VERSION#v1.}"
  local modinfo
  modinfo=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION")
  local gomod
  gomod=$(printf '%s\n' "$modinfo" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  {
    echo "module controlplane.local/kube"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    grep -E '^[[:space:]]*k8s\.io/[^ ]+ => \./staging/' "$gomod" | awk -v v="$staging_version" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
  } >"$dir/go.mod"
  cat >"$dir/tools.go" <<'SRC'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
SRC
  local major=${K8S_VERSION#v}; major=${major%%.*}
  local minor=${K8S_VERSION#v*.}; minor=${minor%%.*}
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=$major -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  (cd "$dir" && go mod tidy >/dev/null 2>&1 || true
   cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$DEST.partial/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
   cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$DEST.partial/kubectl" k8s.io/kubernetes/cmd/kubectl)
}

log "building etcd $ETCD_VERSION and kube-apiserver/kubectl $K8S_VERSION from Go modules (first time only, several minutes)"
build_etcd &
etcd_pid=$!
build_kube
wait "$etcd_pid"

rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
log "cached in $DEST"
echo "$DEST"
