// Command local-control-plane runs etcd and kube-apiserver (built by hack/control-plane.sh) for
// `make demo`: it installs the CRDs, writes a kubeconfig and keeps running until interrupted,
// then stops both and removes their data.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

func main() {
	dir := flag.String("dir", ".demo", "Directory for the kubeconfig.")
	crds := flag.String("crds", filepath.Join("config", "crd", "bases"), "Directory of CRDs to install; empty installs none.")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var crdDirs []string
	if *crds != "" {
		crdDirs = append(crdDirs, *crds)
	}
	cp, err := testutil.StartControlPlane(*dir, crdDirs...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "local-control-plane:", err)
		os.Exit(1)
	}
	fmt.Printf("local-control-plane: kube-apiserver at %s, kubeconfig %s\n", cp.Config.Host, cp.KubeconfigPath)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := cp.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "local-control-plane: stopping:", err)
		os.Exit(1)
	}
	_ = os.Remove(cp.KubeconfigPath)
}
