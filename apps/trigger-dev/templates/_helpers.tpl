{{/*
Names, labels, images, and the derived settings every component shares.
Helpers that return structures return JSON: use them as (include "td.x" . | fromJson).
*/}}

{{- define "td.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "td.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "td.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Namespace of every namespaced object. */}}
{{- define "td.namespace" -}}
{{- default .Release.Namespace .Values.namespace -}}
{{- end -}}

{{/* Namespace where the provider creates task pods. */}}
{{- define "td.taskNamespace" -}}
{{- if .Values.supervisor.provider.taskNamespace -}}
{{- .Values.supervisor.provider.taskNamespace -}}
{{- else if and .Values.createNamespace (eq .Values.namespacePodSecurity "restricted") -}}
{{- /* task pods carry no securityContext: never in the namespace the chart makes "restricted" */ -}}
{{- printf "%s-tasks" (include "td.namespace" .) -}}
{{- else -}}
{{- include "td.namespace" . -}}
{{- end -}}
{{- end -}}

{{/* "X.Y.Z" -> "vX.Y.Z"; "" -> "v" + appVersion; anything else unchanged. Arg: (dict "tag" t "root" $) */}}
{{- define "td.tag" -}}
{{- $tag := toString (default "" .tag) -}}
{{- if not $tag -}}
{{- printf "v%s" (trimPrefix "v" .root.Chart.AppVersion) -}}
{{- else if regexMatch "^[0-9]+\\.[0-9]+\\.[0-9]+([-+].*)?$" $tag -}}
{{- printf "v%s" $tag -}}
{{- else -}}
{{- $tag -}}
{{- end -}}
{{- end -}}

{{/* Image reference. Arg: (dict "image" .Values.image "root" $ "vtag" true) */}}
{{- define "td.image" -}}
{{- $tag := toString (default "" .image.tag) -}}
{{- if .vtag -}}{{- $tag = include "td.tag" (dict "tag" .image.tag "root" .root) -}}{{- end -}}
{{- $ref := printf "%s:%s" .image.repository $tag -}}
{{- if .image.digest -}}{{- $ref = printf "%s@%s" $ref .image.digest -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* The Trigger.dev version this release runs, from the webapp tag ("3.3.18"). */}}
{{- define "td.appVersion" -}}
{{- $tag := include "td.tag" (dict "tag" .Values.image.tag "root" .) | trimPrefix "v" -}}
{{- regexReplaceAll "[^A-Za-z0-9._-]" $tag "_" | trunc 63 | trimSuffix "_" -}}
{{- end -}}

{{- define "td.selectorLabels" -}}
app.kubernetes.io/name: {{ include "td.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Arg: (dict "root" $ "component" "app"); component may be empty for shared objects. */}}
{{- define "td.labels" -}}
helm.sh/chart: {{ include "td.chart" .root }}
app.kubernetes.io/name: {{ include "td.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
app.kubernetes.io/version: {{ include "td.appVersion" .root | quote }}
app.kubernetes.io/part-of: trigger-dev
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "td.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "td.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "td.appServiceName" -}}{{ include "td.fullname" . }}-app{{- end -}}
{{- define "td.coordinatorServiceName" -}}{{ include "td.fullname" . }}-coordinator{{- end -}}
{{- define "td.electricServiceName" -}}{{ include "td.fullname" . }}-electric{{- end -}}
{{- define "td.envSecretName" -}}{{ include "td.fullname" . }}-env{{- end -}}

{{/* Host of the webapp Service, resolvable from any namespace of the cluster. */}}
{{- define "td.appHost" -}}
{{- printf "%s.%s.svc" (include "td.appServiceName" .) (include "td.namespace" .) -}}
{{- end -}}

{{- define "td.appInternalUrl" -}}
{{- printf "http://%s:%d" (include "td.appHost" .) (int .Values.app.service.port) -}}
{{- end -}}

{{- define "td.coreSecretName" -}}
{{- default (printf "%s-secrets" (include "td.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Execution plane components this release runs: JSON {coordinator: bool, provider: bool}. */}}
{{- define "td.plane" -}}
{{- $s := .Values.supervisor -}}
{{- $on := $s.enabled -}}
{{- dict "coordinator" (and $on (ne $s.mode "provider")) "provider" $on | toJson -}}
{{- end -}}

{{/* ------------------------------------------------------------------ secrets from values */}}

{{/* The five application secrets: key -> value given in values ("" when not given). JSON. */}}
{{- define "td.coreSecretValues" -}}
{{- $s := .Values.secrets -}}
{{- $env := .Values.app.env -}}
{{- $out := dict -}}
{{- $map := dict "SESSION_SECRET" $s.sessionSecret "MAGIC_LINK_SECRET" $s.magicLinkSecret "ENCRYPTION_KEY" $s.encryptionKey "PROVIDER_SECRET" $s.providerSecret "COORDINATOR_SECRET" $s.coordinatorSecret -}}
{{- range $key, $v := $map -}}
{{- $val := include "td.str" (default "" $v) -}}
{{- if and (not $val) (hasKey $env $key) (not (kindIs "map" (get $env $key))) -}}
{{- $val = include "td.str" (get $env $key) -}}
{{- end -}}
{{- $_ := set $out $key $val -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{- define "td.coreSecretValueNames" -}}
{{- dict "SESSION_SECRET" "secrets.sessionSecret" "MAGIC_LINK_SECRET" "secrets.magicLinkSecret" "ENCRYPTION_KEY" "secrets.encryptionKey" "PROVIDER_SECRET" "secrets.providerSecret" "COORDINATOR_SECRET" "secrets.coordinatorSecret" | toJson -}}
{{- end -}}

{{/* ------------------------------------------------------------------ public URL and origins */}}

{{/* The public URL without trailing slash, or "" when none is known. */}}
{{- define "td.publicUrl" -}}
{{- $env := .Values.app.env -}}
{{- $url := "" -}}
{{- if .Values.app.publicUrl -}}
{{- $url = .Values.app.publicUrl -}}
{{- else if and (hasKey $env "APP_ORIGIN") (get $env "APP_ORIGIN") -}}
{{- $url = toString (get $env "APP_ORIGIN") -}}
{{- else if and (get $env "TRIGGER_PROTOCOL") (get $env "TRIGGER_DOMAIN") -}}
{{- $url = printf "%s://%s" (toString (get $env "TRIGGER_PROTOCOL")) (toString (get $env "TRIGGER_DOMAIN")) -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts -}}
{{- $host := (first .Values.ingress.hosts).host -}}
{{- $scheme := "http" -}}
{{- range .Values.ingress.tls -}}
{{- if has $host (default list .hosts) -}}{{- $scheme = "https" -}}{{- end -}}
{{- end -}}
{{- $url = printf "%s://%s" $scheme $host -}}
{{- end -}}
{{- trimSuffix "/" $url -}}
{{- end -}}

{{- define "td.isLocalUrl" -}}
{{- if regexMatch "^https?://(localhost|127\\.[0-9.]+|0\\.0\\.0\\.0|\\[::1\\])([:/]|$)" . -}}true{{- end -}}
{{- end -}}

{{/* JSON {app, login, api}: APP_ORIGIN, LOGIN_ORIGIN, API_ORIGIN. */}}
{{- define "td.origins" -}}
{{- $env := .Values.app.env -}}
{{- $public := include "td.publicUrl" . -}}
{{- $app := default (printf "http://localhost:%d" (int .Values.app.service.port)) $public -}}
{{- $login := trimSuffix "/" (toString (default $app (get $env "LOGIN_ORIGIN"))) -}}
{{- $api := trimSuffix "/" (toString (default (default "" (get $env "API_ORIGIN")) .Values.app.apiUrl)) -}}
{{- if not $api -}}
{{- if and $public (not (include "td.isLocalUrl" $public)) -}}
{{- $api = $public -}}
{{- else -}}
{{- $api = include "td.appInternalUrl" . -}}
{{- end -}}
{{- end -}}
{{- dict "app" $app "login" $login "api" $api | toJson -}}
{{- end -}}

{{/* ------------------------------------------------------------------ database */}}

{{/* Percent-decode the escapes people put in URL credentials. */}}
{{- define "td.urlDecode" -}}
{{- $s := . -}}
{{- range $pair := list (list "%20" " ") (list "%21" "!") (list "%23" "#") (list "%24" "$") (list "%26" "&") (list "%27" "'") (list "%28" "(") (list "%29" ")") (list "%2A" "*") (list "%2B" "+") (list "%2C" ",") (list "%2F" "/") (list "%3A" ":") (list "%3B" ";") (list "%3D" "=") (list "%3F" "?") (list "%40" "@") (list "%5B" "[") (list "%5D" "]") (list "%7E" "~") -}}
{{- $s = $s | replace (index $pair 0) (index $pair 1) | replace (lower (index $pair 0)) (index $pair 1) -}}
{{- end -}}
{{- $s | replace "%25" "%" -}}
{{- end -}}

{{/*
JSON {mode, url, electricUrl, hostPort}. mode: "secret" (connectionStringSecret), "passwordRef" (URL built around
$(TRIGGER_DATABASE_PASSWORD)), "literal" (URL with the password, stored in the env Secret).
*/}}
{{- define "td.database" -}}
{{- $d := .Values.database -}}
{{- if $d.connectionStringSecret -}}
{{- dict "mode" "secret" | toJson -}}
{{- else -}}
{{- $params := list -}}
{{- $eparams := list -}}
{{- if $d.sslMode -}}
{{- $params = append $params (printf "sslmode=%s" $d.sslMode) -}}
{{- $eparams = append $eparams (printf "sslmode=%s" $d.sslMode) -}}
{{- end -}}
{{- if gt (int64 $d.statementTimeout) 0 -}}
{{- $params = append $params (printf "options=%s" (printf "-c statement_timeout=%d" (int64 $d.statementTimeout) | urlquery)) -}}
{{- end -}}
{{- if gt (int64 $d.idleTimeout) 0 -}}
{{- $params = append $params (printf "max_idle_connection_lifetime=%d" (div (add (int64 $d.idleTimeout) 999) 1000)) -}}
{{- end -}}
{{- $hostPort := printf "%s:%d" $d.externalHost (int $d.externalPort) -}}
{{- $mode := "literal" -}}
{{- $password := urlquery (include "td.str" $d.externalPassword) | replace "+" "%20" -}}
{{- if $d.passwordSecret.name -}}
{{- $mode = "passwordRef" -}}
{{- $password = "$(TRIGGER_DATABASE_PASSWORD)" -}}
{{- end -}}
{{- $base := printf "postgresql://%s:%s@%s/%s" (urlquery (include "td.str" $d.externalUser) | replace "+" "%20") $password $hostPort (toString $d.externalDatabase) -}}
{{- $url := $base -}}
{{- if $params -}}{{- $url = printf "%s?%s" $base (join "&" $params) -}}{{- end -}}
{{- $eurl := $base -}}
{{- if $eparams -}}{{- $eurl = printf "%s?%s" $base (join "&" $eparams) -}}{{- end -}}
{{- dict "mode" $mode "url" $url "electricUrl" $eurl "hostPort" $hostPort | toJson -}}
{{- end -}}
{{- end -}}

{{/* ------------------------------------------------------------------ redis */}}

{{/* JSON {mode: secret|values, host, port, username, password, tls, error}. */}}
{{- define "td.redis" -}}
{{- $r := .Values.redis -}}
{{- $url := default (toString (default "" (get .Values.app.env "REDIS_URL"))) $r.url -}}
{{- $out := dict "mode" "values" "host" "" "port" "" "username" "" "password" "" "tls" false "error" "" -}}
{{- if $r.secretName -}}
{{- $_ := set $out "mode" "secret" -}}
{{- $_ := set $out "tls" (ternary false $r.tls (kindIs "invalid" $r.tls)) -}}
{{- else if $url -}}
{{- $scheme := regexFind "^[A-Za-z][A-Za-z0-9+.-]*://" $url | trimSuffix "://" -}}
{{- if not (has $scheme (list "redis" "rediss")) -}}
{{- $_ := set $out "error" "redis.url does not start with redis:// or rediss://; write redis://user:password@host:6379" -}}
{{- end -}}
{{- $authority := regexReplaceAll "[/?#].*$" (regexReplaceAll "^[^:]*://" $url "") "" -}}
{{- $userinfo := "" -}}
{{- $hostPort := $authority -}}
{{- if contains "@" $authority -}}
{{- $userinfo = regexReplaceAll "@[^@]*$" $authority "" -}}
{{- $hostPort = regexFind "[^@]*$" $authority -}}
{{- end -}}
{{- $host := $hostPort -}}
{{- $port := "6379" -}}
{{- if regexMatch ":[^:\\]]*$" $hostPort -}}
{{- $port = regexFind "[^:]*$" $hostPort -}}
{{- $host = regexReplaceAll ":[^:]*$" $hostPort "" -}}
{{- end -}}
{{- if not (regexMatch "^[0-9]+$" $port) -}}
{{- $_ := set $out "error" (printf "redis.url: port %q is not a number; write redis://user:password@host:6379" $port) -}}
{{- end -}}
{{- if not $host -}}
{{- $_ := set $out "error" "redis.url: no host; write redis://user:password@host:6379" -}}
{{- end -}}
{{- $user := "" -}}
{{- $pass := "" -}}
{{- if $userinfo -}}
{{- $parts := splitn ":" 2 $userinfo -}}
{{- $user = $parts._0 -}}
{{- $pass = default "" $parts._1 -}}
{{- end -}}
{{- $_ := set $out "host" (trimAll "[]" $host) -}}
{{- $_ := set $out "port" $port -}}
{{- $_ := set $out "username" (include "td.urlDecode" $user) -}}
{{- $_ := set $out "password" (include "td.urlDecode" $pass) -}}
{{- $_ := set $out "tls" (ternary (eq $scheme "rediss") $r.tls (kindIs "invalid" $r.tls)) -}}
{{- else if $r.host -}}
{{- $_ := set $out "host" $r.host -}}
{{- $_ := set $out "port" (toString (int $r.port)) -}}
{{- $_ := set $out "username" (include "td.str" $r.username) -}}
{{- $_ := set $out "password" (include "td.str" $r.password) -}}
{{- $_ := set $out "tls" (ternary false $r.tls (kindIs "invalid" $r.tls)) -}}
{{- else -}}
{{- $_ := set $out "error" "redis: nothing configured; set redis.url (redis://user:password@host:6379), redis.host, or redis.secretName (a Secret with REDIS_HOST and REDIS_PORT)" -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{/* ------------------------------------------------------------------ user env */}}

{{/* A value as env text: whole numbers without exponent (YAML numbers arrive as float64). */}}
{{- define "td.str" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}



{{/* Names whose literal values go to the env Secret instead of the pod spec. */}}
{{- define "td.isSensitive" -}}
{{- if regexMatch "(SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL|DIRECT_URL)" . -}}true{{- end -}}
{{- end -}}

{{/* Names handled by the chart itself; never passed through from app.env. */}}
{{- define "td.managedEnvNames" -}}
{{- list "TRIGGER_PROTOCOL" "TRIGGER_DOMAIN" "SMTP_FROM_ADDRESS" "MAX_PAYLOAD_SIZE_MB" "REDIS_URL" "DEPLOY_REGISTRY_HOST" "DEPLOY_REGISTRY_NAMESPACE" "REALTIME_WEBSOCKET_ENABLED" "APP_ORIGIN" "LOGIN_ORIGIN" "API_ORIGIN" "SESSION_SECRET" "MAGIC_LINK_SECRET" "ENCRYPTION_KEY" "PROVIDER_SECRET" "COORDINATOR_SECRET" | toJson -}}
{{- end -}}

{{/* app.env after translation of the names the app does not read: JSON map. */}}
{{- define "td.appEnv" -}}
{{- $src := .Values.app.env -}}
{{- $managed := include "td.managedEnvNames" . | fromJsonArray -}}
{{- $out := dict -}}
{{- range $k, $v := $src -}}
{{- if not (has $k $managed) -}}
{{- $_ := set $out $k $v -}}
{{- end -}}
{{- end -}}
{{- with get $src "SMTP_FROM_ADDRESS" -}}
{{- if not (hasKey $out "FROM_EMAIL") -}}{{- $_ := set $out "FROM_EMAIL" . -}}{{- end -}}
{{- if not (hasKey $out "REPLY_TO_EMAIL") -}}{{- $_ := set $out "REPLY_TO_EMAIL" . -}}{{- end -}}
{{- end -}}
{{- with get $src "MAX_PAYLOAD_SIZE_MB" -}}
{{- if and (not (hasKey $out "TASK_PAYLOAD_MAXIMUM_SIZE")) (regexMatch "^[0-9]+$" (include "td.str" .)) -}}
{{- $_ := set $out "TASK_PAYLOAD_MAXIMUM_SIZE" (toString (mul (int64 (include "td.str" .)) 1048576)) -}}
{{- end -}}
{{- end -}}
{{- if not (hasKey $out "EMAIL_TRANSPORT") -}}
{{- if get $out "SMTP_HOST" -}}
{{- $_ := set $out "EMAIL_TRANSPORT" "smtp" -}}
{{- else if get $out "RESEND_API_KEY" -}}
{{- $_ := set $out "EMAIL_TRANSPORT" "resend" -}}
{{- end -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{/* Deploy registry: JSON {host, namespace}; app.env.DEPLOY_REGISTRY_* fill what registry.* leaves empty. */}}
{{- define "td.registry" -}}
{{- $env := .Values.app.env -}}
{{- $host := default (toString (default "" (get $env "DEPLOY_REGISTRY_HOST"))) .Values.registry.host -}}
{{- $ns := .Values.registry.namespace -}}
{{- if get $env "DEPLOY_REGISTRY_NAMESPACE" -}}
{{- if or (not $ns) (eq $ns "trigger") -}}{{- $ns = toString (get $env "DEPLOY_REGISTRY_NAMESPACE") -}}{{- end -}}
{{- end -}}
{{- dict "host" $host "namespace" $ns | toJson -}}
{{- end -}}

{{/*
Render a user env map as env entries. Arg: (dict "root" $ "env" map "prefix" "app").
Literal values of sensitive names are read from the env Secret key "<prefix>.<NAME>".
*/}}
{{- define "td.userEnvEntries" -}}
{{- $root := .root -}}
{{- $prefix := .prefix -}}
{{- range $k := keys .env | sortAlpha }}
{{- $v := get $.env $k }}
- name: {{ $k }}
{{- if kindIs "map" $v }}
{{- if hasKey $v "valueFrom" }}
  valueFrom:
{{ toYaml $v.valueFrom | indent 4 }}
{{- else }}
  valueFrom:
{{ toYaml $v | indent 4 }}
{{- end }}
{{- else if include "td.isSensitive" $k }}
  valueFrom:
    secretKeyRef:
      name: {{ include "td.envSecretName" $root }}
      key: {{ printf "%s.%s" $prefix $k }}
{{- else }}
  value: {{ include "td.str" $v | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Sensitive literal values of a user env map: JSON {"<prefix>.<NAME>": value}. Arg: (dict "env" map "prefix" p) */}}
{{- define "td.sensitiveEnv" -}}
{{- $out := dict -}}
{{- range $k, $v := .env -}}
{{- if and (not (kindIs "map" $v)) (include "td.isSensitive" $k) -}}
{{- $_ := set $out (printf "%s.%s" $.prefix $k) (include "td.str" $v) -}}
{{- end -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{/* ------------------------------------------------------------------ env blocks */}}

{{- define "td.secretRef" -}}
valueFrom:
  secretKeyRef:
    name: {{ .name }}
    key: {{ .key }}
{{- if .optional }}
    optional: true
{{- end }}
{{- end -}}

{{/* DATABASE_URL / DIRECT_URL (+ DATABASE_HOST). Arg: root. */}}
{{- define "td.env.database" -}}
{{- $db := include "td.database" . | fromJson -}}
{{- if eq $db.mode "secret" }}
- name: DATABASE_URL
  {{- include "td.secretRef" (dict "name" .Values.database.connectionStringSecret "key" "DATABASE_URL") | nindent 2 }}
- name: DIRECT_URL
  {{- include "td.secretRef" (dict "name" .Values.database.connectionStringSecret "key" "DIRECT_URL") | nindent 2 }}
{{- else }}
- name: DATABASE_HOST
  value: {{ $db.hostPort | quote }}
{{- if eq $db.mode "passwordRef" }}
- name: TRIGGER_DATABASE_PASSWORD
  {{- include "td.secretRef" (dict "name" .Values.database.passwordSecret.name "key" .Values.database.passwordSecret.key) | nindent 2 }}
- name: DATABASE_URL
  value: {{ $db.url | quote }}
- name: DIRECT_URL
  value: {{ $db.url | quote }}
{{- else }}
- name: DATABASE_URL
  {{- include "td.secretRef" (dict "name" (include "td.envSecretName" .) "key" "DATABASE_URL") | nindent 2 }}
- name: DIRECT_URL
  {{- include "td.secretRef" (dict "name" (include "td.envSecretName" .) "key" "DIRECT_URL") | nindent 2 }}
{{- end }}
{{- end }}
{{- with .Values.database }}
{{- if gt (int .poolMax) 0 }}
- name: DATABASE_CONNECTION_LIMIT
  value: {{ int .poolMax | quote }}
{{- end }}
{{- if gt (int .poolTimeout) 0 }}
- name: DATABASE_POOL_TIMEOUT
  value: {{ int .poolTimeout | quote }}
{{- end }}
{{- if gt (int .connectionTimeout) 0 }}
- name: DATABASE_CONNECTION_TIMEOUT
  value: {{ int .connectionTimeout | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Everything the webapp program needs (webapp and worker). Arg: (dict "root" $ "component" "app"|"worker") */}}
{{- define "td.env.webapp" -}}
{{- $root := .root -}}
{{- $appEnv := include "td.appEnv" $root | fromJson -}}
{{- $base := "" -}}
{{- $extra := include "td.userEnvEntries" (dict "root" $root "env" $appEnv "prefix" "app") -}}
{{- if eq .component "worker" -}}
{{- $extra = include "td.mergeEnv" (dict "base" $extra "extra" (include "td.userEnvEntries" (dict "root" $root "env" $root.Values.worker.env "prefix" "worker"))) -}}
{{- end -}}
{{- $base = include "td.env.webappBase" . -}}
{{- include "td.mergeEnv" (dict "base" $base "extra" $extra) -}}
{{- end -}}

{{- define "td.env.webappBase" -}}
{{- $root := .root -}}
{{- $origins := include "td.origins" $root | fromJson -}}
{{- $redis := include "td.redis" $root | fromJson -}}
{{- $registry := include "td.registry" $root | fromJson -}}
{{- $core := include "td.coreSecretName" $root -}}
{{- $envSecret := include "td.envSecretName" $root }}
- name: REMIX_APP_PORT
  value: "3000"
- name: PORT
  value: "3000"
- name: V3_ENABLED
  value: "true"
- name: APP_ORIGIN
  value: {{ $origins.app | quote }}
- name: LOGIN_ORIGIN
  value: {{ $origins.login | quote }}
- name: API_ORIGIN
  value: {{ $origins.api | quote }}
{{- if $root.Values.electric.enabled }}
- name: ELECTRIC_ORIGIN
  value: {{ printf "http://%s.%s.svc:3000" (include "td.electricServiceName" $root) (include "td.namespace" $root) | quote }}
{{- end }}
{{- include "td.env.database" $root }}
{{- if eq $redis.mode "secret" }}
- name: REDIS_HOST
  {{- include "td.secretRef" (dict "name" $root.Values.redis.secretName "key" "REDIS_HOST") | nindent 2 }}
- name: REDIS_PORT
  {{- include "td.secretRef" (dict "name" $root.Values.redis.secretName "key" "REDIS_PORT") | nindent 2 }}
- name: REDIS_USERNAME
  {{- include "td.secretRef" (dict "name" $root.Values.redis.secretName "key" "REDIS_USERNAME" "optional" true) | nindent 2 }}
- name: REDIS_PASSWORD
  {{- include "td.secretRef" (dict "name" $root.Values.redis.secretName "key" "REDIS_PASSWORD" "optional" true) | nindent 2 }}
{{- else }}
- name: REDIS_HOST
  value: {{ $redis.host | quote }}
- name: REDIS_PORT
  value: {{ $redis.port | quote }}
{{- if $redis.username }}
- name: REDIS_USERNAME
  {{- include "td.secretRef" (dict "name" $envSecret "key" "REDIS_USERNAME") | nindent 2 }}
{{- end }}
{{- if $redis.password }}
- name: REDIS_PASSWORD
  {{- include "td.secretRef" (dict "name" $envSecret "key" "REDIS_PASSWORD") | nindent 2 }}
{{- end }}
{{- end }}
- name: REDIS_TLS_DISABLED
  value: {{ ternary "false" "true" $redis.tls | quote }}
{{- range $key := list "SESSION_SECRET" "MAGIC_LINK_SECRET" "ENCRYPTION_KEY" "PROVIDER_SECRET" "COORDINATOR_SECRET" }}
- name: {{ $key }}
  {{- include "td.secretRef" (dict "name" $core "key" $key) | nindent 2 }}
{{- end }}
{{- if $registry.host }}
- name: DEPLOY_REGISTRY_HOST
  value: {{ $registry.host | quote }}
{{- end }}
{{- if $registry.namespace }}
- name: DEPLOY_REGISTRY_NAMESPACE
  value: {{ $registry.namespace | quote }}
{{- end }}
{{- if $root.Values.worker.enabled }}
{{- $workers := ternary "true" "false" (eq .component "worker") }}
- name: WORKER_ENABLED
  value: {{ $workers | quote }}
- name: EXECUTION_WORKER_ENABLED
  value: {{ $workers | quote }}
- name: TASK_OPERATION_WORKER_ENABLED
  value: {{ $workers | quote }}
{{- if eq .component "worker" }}
- name: HTTP_SERVER_DISABLED
  value: "true"
{{- end }}
{{- end }}
{{- end -}}

{{/*
Env list "base" with entries of "extra" (both YAML lists) replacing same-named ones: no duplicate names, which
server-side apply (Flux, helm 4) rejects. Base order is kept ($(VAR) references need it).
*/}}
{{- define "td.mergeEnv" -}}
{{- $base := default list (fromYamlArray (default "[]" .base)) -}}
{{- $extra := default list (fromYamlArray (default "[]" .extra)) -}}
{{- $names := list -}}
{{- range $extra -}}{{- $names = append $names .name -}}{{- end -}}
{{- $out := list -}}
{{- range $base -}}{{- if not (has .name $names) -}}{{- $out = append $out . -}}{{- end -}}{{- end -}}
{{- $out = concat $out $extra -}}
{{- if $out -}}{{- toYaml $out -}}{{- end -}}
{{- end -}}

{{/* PLATFORM_* for the coordinator and the provider. Arg: (dict "root" $ "secretKey" "COORDINATOR_SECRET") */}}
{{- define "td.env.platform" -}}
- name: PLATFORM_HOST
  value: {{ include "td.appHost" .root | quote }}
- name: PLATFORM_WS_PORT
  value: {{ int .root.Values.app.service.port | quote }}
- name: PLATFORM_SECRET
  {{- include "td.secretRef" (dict "name" (include "td.coreSecretName" .root) "key" .secretKey) | nindent 2 }}
- name: SECURE_CONNECTION
  value: {{ ternary "true" "false" .root.Values.supervisor.secureConnection | quote }}
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- end -}}

{{/* ------------------------------------------------------------------ pod pieces */}}

{{/* Container securityContext. Arg: (dict "root" $ "writableRoot" bool) */}}
{{- define "td.containerSecurityContext" -}}
{{- $sc := deepCopy .root.Values.securityContext -}}
{{- if .writableRoot -}}{{- $_ := set $sc "readOnlyRootFilesystem" false -}}{{- end -}}
{{- toYaml $sc -}}
{{- end -}}

{{- define "td.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ .name }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* nodeSelector/tolerations/affinity: YAML map (or ""). Arg: component values. */}}
{{- define "td.scheduling" -}}
{{- $out := pick . "nodeSelector" "tolerations" "affinity" -}}
{{- range $k, $v := $out -}}{{- if not $v -}}{{- $_ := unset $out $k -}}{{- end -}}{{- end -}}
{{- if $out -}}{{- toYaml $out -}}{{- end -}}
{{- end -}}

{{/* Probes from values, each only when set: YAML map (or ""). Arg: component values. */}}
{{- define "td.probes" -}}
{{- $out := dict -}}
{{- range $name := list "startupProbe" "livenessProbe" "readinessProbe" -}}
{{- with get $ $name -}}{{- $_ := set $out $name . -}}{{- end -}}
{{- end -}}
{{- if $out -}}{{- toYaml $out -}}{{- end -}}
{{- end -}}

{{/* Checksum of the configuration pods read, so a change rolls them. */}}
{{- define "td.configChecksum" -}}
{{- $v := .Values -}}
{{- $derived := list (include "td.appEnv" .) (toJson $v.worker.env) (include "td.coreSecretValues" .) (include "td.coreSecretName" .) (include "td.database" .) (include "td.redis" .) (include "td.registry" .) (include "td.origins" .) (toJson $v.supervisor.env) (toJson $v.supervisor.provider.env) -}}
{{- join "\n" $derived | sha256sum | trunc 16 -}}
{{- end -}}

{{/* Spec of the migrations Job (its hash names the Job). */}}
{{- define "td.migrationsJobSpec" -}}
{{- $c := .Values.migrations -}}
backoffLimit: {{ $c.backoffLimit }}
activeDeadlineSeconds: {{ $c.activeDeadlineSeconds }}
{{- if not (kindIs "invalid" $c.ttlSecondsAfterFinished) }}
ttlSecondsAfterFinished: {{ $c.ttlSecondsAfterFinished }}
{{- end }}
template:
  metadata:
    labels:
      {{- include "td.labels" (dict "root" . "component" "migrations") | nindent 6 }}
    {{- with $c.podAnnotations }}
    annotations:
      {{- toYaml . | nindent 6 }}
    {{- end }}
  spec:
    restartPolicy: Never
    serviceAccountName: {{ include "td.serviceAccountName" . }}
    automountServiceAccountToken: false
    {{- with include "td.imagePullSecrets" . }}{{ . | nindent 4 }}{{ end }}
    securityContext:
      {{- toYaml .Values.podSecurityContext | nindent 6 }}
    {{- with $c.initContainers }}
    initContainers:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    containers:
      - name: migrate
        image: {{ include "td.image" (dict "image" .Values.image "root" . "vtag" true) | quote }}
        imagePullPolicy: {{ .Values.image.pullPolicy }}
        workingDir: /triggerdotdev
        command:
          - sh
          - -ec
          - |
            pnpm --filter @trigger.dev/database db:migrate:deploy
        env:
          {{- $base := include "td.env.database" . }}
          {{- $base = printf "%s\n- name: HOME\n  value: /home/node" $base }}
          {{- include "td.mergeEnv" (dict "base" $base "extra" (include "td.userEnvEntries" (dict "root" . "env" $c.env "prefix" "migrations"))) | nindent 10 }}
        resources:
          {{- toYaml $c.resources | nindent 10 }}
        securityContext:
          {{- include "td.containerSecurityContext" (dict "root" . "writableRoot" true) | nindent 10 }}
    {{- with include "td.scheduling" $c }}{{ . | nindent 4 }}{{ end }}
{{- end -}}
