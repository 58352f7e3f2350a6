#!/usr/bin/env bash
# make demo: a local control plane (etcd + kube-apiserver built from source), the contact-center
# emulator, the operator, the samples, and a status table. Everything it starts is stopped on
# exit. DEMO_EXIT=1 exits right after the table (for scripts).
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_DIR=${DEMO_DIR:-.demo}
EMULATOR_ADDR=${EMULATOR_ADDR:-127.0.0.1:18080}
SYNC_PERIOD=${SYNC_PERIOD:-20s}
mkdir -p "$DEMO_DIR"
rm -f "$DEMO_DIR/kubeconfig"

KUBEBUILDER_ASSETS=$(hack/control-plane.sh)
export KUBEBUILDER_ASSETS
KUBECTL="$KUBEBUILDER_ASSETS/kubectl"
export KUBECONFIG="$PWD/$DEMO_DIR/kubeconfig"

go build -o bin/local-control-plane ./hack/local-control-plane
[[ -x bin/manager && -x bin/emulator ]] || make --no-print-directory build

pids=()
cleanup() {
  echo
  echo "demo: stopping the operator, the emulator and the control plane"
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill -INT "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting etcd and kube-apiserver (logs: $DEMO_DIR/control-plane.log)"
bin/local-control-plane --dir "$DEMO_DIR" >"$DEMO_DIR/control-plane.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [[ -s "$DEMO_DIR/kubeconfig" ]] && break; sleep 0.5; done
[[ -s "$DEMO_DIR/kubeconfig" ]] || { cat "$DEMO_DIR/control-plane.log"; exit 1; }
"$KUBECTL" version | sed 's/^/  /'

step "Starting the contact-center emulator on $EMULATOR_ADDR (logs: $DEMO_DIR/emulator.log)"
rm -f "$DEMO_DIR/emulator-state.json"
# The skill groups the samples refer to by name, as an administrator would have set them up.
bin/emulator --listen "$EMULATOR_ADDR" --state "$DEMO_DIR/emulator-state.json" --instance ccc:ccc-demo \
  --seed "ccc:ccc-demo:SkillGroup=Billing" --seed "ccc:ccc-demo:SkillGroup=Technical support" \
  --seed "ccc:ccc-demo:SkillGroup=Sales" \
  >"$DEMO_DIR/emulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -fsS "http://$EMULATOR_ADDR/_emulator/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
curl -fsS "http://$EMULATOR_ADDR/_emulator/healthz" >/dev/null || { cat "$DEMO_DIR/emulator.log"; exit 1; }
echo "  emulator is up (CCC instance ccc-demo, demo key pair demo-access-key-id)"
# The demo has no OutboundBot reviewer: submitted scripts are approved at once.
curl -fsS -X PUT -H 'Content-Type: application/json' -d '{"autoApprove":true}' \
  "http://$EMULATOR_ADDR/_emulator/outboundbot/settings" >/dev/null
echo "  OutboundBot script reviews are approved at once (admin setting autoApprove)"

step "Installing the CRDs"
"$KUBECTL" apply --server-side -f config/crd/bases | sed 's/^/  /'

step "Starting the operator (logs: $DEMO_DIR/manager.log, resync every $SYNC_PERIOD)"
bin/manager --kubeconfig "$KUBECONFIG" --metrics-bind-address 127.0.0.1:18082 \
  --health-probe-bind-address 127.0.0.1:18083 --sync-period "$SYNC_PERIOD" --zap-encoder json \
  >"$DEMO_DIR/manager.log" 2>&1 &
pids+=($!)

step "Applying config/samples/"
"$KUBECTL" apply -f config/samples/ | sed 's/^/  /'

step "Applying config/samples/references/flows/ (three flows that transfer to each other in a cycle)"
"$KUBECTL" apply -k config/samples/references/flows/ | sed 's/^/  /'

step "Waiting for the flows to be Ready"
"$KUBECTL" wait --for=condition=Ready contactflows --all --timeout=120s | sed 's/^/  /'

step "kubectl get contactflows"
"$KUBECTL" get contactflows -o wide

step "Waiting for the outbound bot (instance and script) to be Ready"
"$KUBECTL" wait --for=condition=Ready outboundinstances,outboundscripts --all --timeout=120s | sed 's/^/  /'

step "kubectl get outboundinstances,outboundscripts"
"$KUBECTL" get outboundinstances,outboundscripts -o wide

step "The flows as the emulated Alibaba Cloud Contact Center holds them"
bin/emulator flows --admin "http://$EMULATOR_ADDR" --instance ccc-demo

step "References as resolved in this environment (kubectl get contactflow sales)"
"$KUBECTL" get contactflow sales -o jsonpath='{range .status.references[*]}  {.name} -> {.target} = {.value}{"\n"}{end}'

step "API calls the operator made (emulator /_emulator/stats)"
curl -fsS "http://$EMULATOR_ADDR/_emulator/stats"; echo

if [[ "${DEMO_EXIT:-}" == 1 ]]; then
  exit 0
fi

cat <<HINT

The demo keeps running. In another terminal:
  export KUBECONFIG=$KUBECONFIG
  alias kubectl=$KUBECTL
  kubectl edit contactflow welcome          # change properties.say: one edit, commit, publish
  kubectl get contactflows -w
  curl -X POST -d '{"user":"alice"}' http://$EMULATOR_ADDR/_emulator/ccc/instances/ccc-demo/flows/<ID>/edit
                                            # a console user opens a draft: the operator waits
  bin/emulator flows --instance ccc-demo    # the flows as the emulator holds them
  kubectl delete contactflow after-hours --wait=false; kubectl get contactflow after-hours
                                            # others refer to it: it waits, naming them (InUse)
  ALIBABA_CLOUD_ACCESS_KEY_ID=demo-access-key-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-access-key-secret \
    bin/kubectl-contactflow export --platform AlibabaCCC --endpoint http://$EMULATOR_ADDR --instance ccc-demo
                                            # the instance as manifests, references extracted
  kubectl edit outboundscript payment-reminder
                                            # change a content line: modify, submit, publish version 2
  curl -X PUT -d '{"autoApprove":false}' http://$EMULATOR_ADDR/_emulator/outboundbot/settings
                                            # then reviews wait for a reviewer: approve or reject with
  curl -X POST -d '{"reason":"why"}' http://$EMULATOR_ADDR/_emulator/outboundbot/instances/<INSTANCE ID>/scripts/<SCRIPT ID>/review/reject
Press Ctrl-C to stop everything.
HINT
while true; do sleep 3600; done
