package testutil

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ControlPlane is a local etcd + kube-apiserver started as processes from the binaries in
// KUBEBUILDER_ASSETS (built by hack/control-plane.sh), with a kubeconfig file for kubectl and
// the operator binary.
type ControlPlane struct {
	Env            *envtest.Environment
	Config         *rest.Config
	KubeconfigPath string
}

// StartControlPlane starts the control plane, installs the CRDs found in crdDirs (none when
// empty) and writes an admin kubeconfig into dir.
func StartControlPlane(dir string, crdDirs ...string) (*ControlPlane, error) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS is not set; it names the directory hack/control-plane.sh prints")
	}
	env := &envtest.Environment{CRDDirectoryPaths: crdDirs, ErrorIfCRDPathMissing: len(crdDirs) > 0}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting etcd and kube-apiserver: %w", err)
	}
	user, err := env.AddUser(envtest.User{Name: "contactflow-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("adding the admin user: %w", err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("rendering the kubeconfig: %w", err)
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return &ControlPlane{Env: env, Config: cfg, KubeconfigPath: path}, nil
}

// Stop stops kube-apiserver and etcd and removes their data.
func (c *ControlPlane) Stop() error { return c.Env.Stop() }

// Kubectl is the kubectl built beside the control plane (a machine may have none, or one too
// far from the server's version).
func Kubectl() string {
	return filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
}
