{{/* Base name of all objects: <release>-teeledger unless the release already says so. */}}
{{- define "teeledger.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "teeledger.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{ include "teeledger.commonLabels" . }}
{{- end -}}

{{/* Labels that are not part of any selector. */}}
{{- define "teeledger.commonLabels" -}}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: call with (list $ "component"). */}}
{{- define "teeledger.selector" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ $.Chart.Name }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Image reference of one TEE Ledger component: call with (list $ "component"). */}}
{{- define "teeledger.image" -}}
{{- $ := index . 0 -}}
{{- printf "%s/%s:%s" $.Values.image.repository (index . 1) (default $.Chart.AppVersion $.Values.image.tag) -}}
{{- end -}}

{{- define "teeledger.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "teeledger.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "teeledger.monitoringLabels" -}}
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Kafka bootstrap servers: the evaluation broker when bundled, else kafka.bootstrapServers. */}}
{{- define "teeledger.kafkaBootstrap" -}}
{{- if .Values.evaluation.kafka.enabled -}}
{{- printf "%s-kafka:9092" (include "teeledger.fullname" .) -}}
{{- else -}}
{{- .Values.kafka.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{/* JDBC URL of one service: call with (list $ "<configured url>" "<database>"). */}}
{{- define "teeledger.jdbcUrl" -}}
{{- $ := index . 0 -}}
{{- if $.Values.evaluation.postgresql.enabled -}}
{{- printf "jdbc:postgresql://%s-postgresql:5432/%s" (include "teeledger.fullname" $) (index . 2) -}}
{{- else -}}
{{- index . 1 -}}
{{- end -}}
{{- end -}}
