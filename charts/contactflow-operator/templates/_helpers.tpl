{{/* The chart name, or nameOverride. */}}
{{- define "contactflow-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every resource name: fullnameOverride, else the release name when it already
contains the chart name, else <release>-<chart>. Cluster-scoped objects carry it too, so two
releases in two namespaces do not collide.
*/}}
{{- define "contactflow-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "contactflow-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "contactflow-operator.labels" -}}
helm.sh/chart: {{ include "contactflow-operator.chart" . }}
{{ include "contactflow-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: contactflow-operator
{{- end }}

{{/* Labels that select the operator's pods (immutable once installed). */}}
{{- define "contactflow-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "contactflow-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: manager
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "contactflow-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "contactflow-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: repository@digest, else repository:tag (tag defaults to appVersion). */}}
{{- define "contactflow-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The webhook's Service and ValidatingWebhookConfiguration. */}}
{{- define "contactflow-operator.webhookService" -}}
{{- printf "%s-webhook" (include "contactflow-operator.fullname" .) }}
{{- end }}

{{- define "contactflow-operator.webhookConfigName" -}}
{{- printf "%s-validating" (include "contactflow-operator.fullname" .) }}
{{- end }}

{{/* Where the webhook server reads (or, self-signed, writes) tls.crt and tls.key. */}}
{{- define "contactflow-operator.webhookCertDir" -}}
/tmp/k8s-webhook-server/serving-certs
{{- end }}

{{/*
The rules of a Role or ClusterRole kept in files/rbac/ (copies of the generated or hand-written
files in config/rbac/, refreshed by `make manifests`), so that the chart and kustomize grant
exactly the same permissions from one source.
*/}}
{{- define "contactflow-operator.rulesFrom" -}}
{{- $role := .root.Files.Get .file | fromYaml }}
{{- if not $role.rules }}
{{- fail (printf "%s has no rules: run `make manifests`" .file) }}
{{- end }}
{{- toYaml $role.rules }}
{{- end }}

{{/* Cross-value checks the JSON schema cannot express. */}}
{{- define "contactflow-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: without it every replica reconciles every resource" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled=true" }}
{{- end }}
{{- if and .Values.webhook.enabled (gt (int .Values.replicaCount) 1) (not .Values.webhook.certSecretName) }}
{{- fail "replicaCount > 1 with the webhook needs webhook.certSecretName (e.g. a cert-manager Certificate's Secret): with self-signed certificates every replica generates its own CA and overwrites the other's caBundle" }}
{{- end }}
{{- if and (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) }}
{{- fail "serviceAccount.create=false needs serviceAccount.name (an existing ServiceAccount)" }}
{{- end }}
{{- end }}
