#!/usr/bin/env bash
# Prints a patch for Argo CD's argocd-cm ConfigMap that registers the operator's health checks:
# one data key resource.customizations.health.<group>_<Kind> per health/<group>/<Kind>/health.lua.
#
#   hack/argocd-health-cm.sh > argocd-cm-health.yaml
#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file argocd-cm-health.yaml
set -euo pipefail
cd "$(dirname "$0")/.."

shopt -s nullglob
scripts=(health/*/*/health.lua)
if [[ ${#scripts[@]} -eq 0 ]]; then
  echo "no health/<group>/<Kind>/health.lua found" >&2
  exit 1
fi

echo "data:"
for f in "${scripts[@]}"; do
  dir=${f%/health.lua}
  kind=${dir##*/}
  group=${dir#health/}
  group=${group%/*}
  echo "  resource.customizations.health.${group}_${kind}: |"
  # Indent non-empty lines only, so that the block holds the script byte for byte.
  sed -e 's/^\(.\)/    \1/' "$f"
done
