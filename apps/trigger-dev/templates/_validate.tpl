{{/*
Checks that fail the install with one sentence: what is wrong, which value, what to set instead.
Rendered by validate.yaml (which outputs nothing).
*/}}
{{- define "td.validate" -}}
{{- $v := .Values -}}
{{- $env := $v.app.env -}}

{{/* images: 4.x is another topology (a 3.3 tag that upstream never published is the GitOps bump's to warn about) */}}
{{- range $key, $default := dict "image" "ghcr.io/triggerdotdev/trigger.dev" "coordinatorImage" "ghcr.io/triggerdotdev/coordinator" "kubernetesProviderImage" "ghcr.io/triggerdotdev/provider/kubernetes" -}}
{{- $img := get $v $key -}}
{{- $tag := include "td.tag" (dict "tag" $img.tag "root" $) -}}
{{- if and (regexMatch "^v?4\\." $tag) (eq $img.repository $default) -}}
{{- fail (printf "%s.tag=%s: this chart runs Trigger.dev 3.x; 4.x needs a different topology (supervisor, ClickHouse, object store): use the official v4 chart" $key $tag) -}}
{{- end -}}
{{- end -}}

{{/* execution plane */}}
{{- if and $v.supervisor.enabled (eq $v.supervisor.mode "provider") (not $v.supervisor.coordinator.host) -}}
{{- fail "supervisor.mode=provider runs no coordinator here: set supervisor.coordinator.host (a coordinator reachable from task pods), or use supervisor.mode=coordinator" -}}
{{- end -}}

{{/* database */}}
{{- $d := $v.database -}}
{{- if not $d.connectionStringSecret -}}
{{- if not $d.externalHost -}}
{{- fail "database: nothing configured; set database.externalHost (with externalUser and externalPassword), or database.connectionStringSecret (a Secret with DATABASE_URL and DIRECT_URL)" -}}
{{- end -}}
{{- if and (not $d.externalPassword) (not $d.passwordSecret.name) -}}
{{- fail "database.externalPassword is empty: set it, or database.passwordSecret.name (an existing Secret), or database.connectionStringSecret" -}}
{{- end -}}
{{- end -}}
{{- if ne (int $d.poolMin) 0 -}}
{{- fail "database.poolMin: Prisma (Trigger.dev's database client) keeps no minimum pool; remove it or set 0 (database.poolMax sets the maximum)" -}}
{{- end -}}

{{/* redis */}}
{{- $redis := include "td.redis" . | fromJson -}}
{{- if $redis.error -}}{{- fail $redis.error -}}{{- end -}}

{{/* application secrets */}}
{{- $given := include "td.coreSecretValues" . | fromJson -}}
{{- $names := include "td.coreSecretValueNames" . | fromJson -}}
{{- if $v.secrets.existingSecret -}}
{{- range $key := keys $given | sortAlpha -}}
{{- if hasKey $env $key -}}
{{- fail (printf "app.env.%s conflicts with secrets.existingSecret=%s: put %s in that Secret and remove it from app.env" $key $v.secrets.existingSecret $key) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- $missing := list -}}
{{- range $key := keys $given | sortAlpha -}}
{{- if not (get $given $key) -}}{{- $missing = append $missing (get $names $key) -}}{{- end -}}
{{- end -}}
{{- if and $missing (not $v.quickstart.enabled) -}}
{{- fail (printf "quickstart.enabled=false and no value for %s: set them (ENCRYPTION_KEY exactly 32 characters), or secrets.existingSecret (a Secret with keys SESSION_SECRET, MAGIC_LINK_SECRET, ENCRYPTION_KEY, PROVIDER_SECRET, COORDINATOR_SECRET)" (join ", " $missing)) -}}
{{- end -}}
{{- with get $given "ENCRYPTION_KEY" -}}
{{- if ne (len .) 32 -}}
{{- fail (printf "secrets.encryptionKey (or app.env.ENCRYPTION_KEY) is %d characters; Trigger.dev uses it as an AES-256 key and needs exactly 32: generate one with `openssl rand -hex 16`" (len .)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $key := list "SESSION_SECRET" "MAGIC_LINK_SECRET" "ENCRYPTION_KEY" "PROVIDER_SECRET" "COORDINATOR_SECRET" -}}
{{- if hasKey $v.worker.env $key -}}
{{- fail (printf "worker.env.%s: the worker shares the webapp's secrets; set %s (or secrets.existingSecret) instead" $key (get $names $key)) -}}
{{- end -}}
{{- end -}}

{{/* public URL */}}
{{- if or (get $env "TRIGGER_PROTOCOL") (get $env "TRIGGER_DOMAIN") -}}
{{- if not (and (get $env "TRIGGER_PROTOCOL") (get $env "TRIGGER_DOMAIN")) -}}
{{- fail "app.env.TRIGGER_PROTOCOL and app.env.TRIGGER_DOMAIN go together (the app reads neither; the chart makes APP_ORIGIN from both): set both, or app.publicUrl" -}}
{{- end -}}
{{- if not (has (toString (get $env "TRIGGER_PROTOCOL")) (list "http" "https")) -}}
{{- fail "app.env.TRIGGER_PROTOCOL must be http or https" -}}
{{- end -}}
{{- end -}}
{{- $public := include "td.publicUrl" . -}}
{{- if and $public (not (regexMatch "^https?://[^/?#\\s]+$" $public)) -}}
{{- fail (printf "app.publicUrl %q is not a URL like https://trigger.example.com (scheme and host, no path)" $public) -}}
{{- end -}}
{{- $origins := include "td.origins" . | fromJson -}}
{{- if include "td.isLocalUrl" $origins.api -}}
{{- fail (printf "app.apiUrl %s points at localhost, which task pods cannot reach (it becomes their TRIGGER_API_URL); leave it empty for the in-cluster Service URL" $origins.api) -}}
{{- end -}}

{{/* translated env names */}}
{{- with get $env "MAX_PAYLOAD_SIZE_MB" -}}
{{- if not (regexMatch "^[0-9]+$" (include "td.str" .)) -}}
{{- fail "app.env.MAX_PAYLOAD_SIZE_MB must be a whole number of megabytes (the chart turns it into TASK_PAYLOAD_MAXIMUM_SIZE in bytes)" -}}
{{- end -}}
{{- end -}}
{{- $appEnv := include "td.appEnv" . | fromJson -}}
{{- if and (eq (toString (get $appEnv "EMAIL_TRANSPORT")) "smtp") (not (get $appEnv "SMTP_HOST")) -}}
{{- fail "app.env.EMAIL_TRANSPORT=smtp needs app.env.SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD)" -}}
{{- end -}}
{{- if and (get $appEnv "EMAIL_TRANSPORT") (not (get $appEnv "FROM_EMAIL")) -}}
{{- fail "email is configured but has no sender: set app.env.FROM_EMAIL (the seed's SMTP_FROM_ADDRESS is translated to it)" -}}
{{- end -}}

{{/* registry pull secret */}}
{{- with $v.registry.pullSecret -}}
{{- if .create -}}
{{- if not (and .username .password (or .server $v.registry.host)) -}}
{{- fail "registry.pullSecret.create=true needs registry.pullSecret.username, registry.pullSecret.password and registry.pullSecret.server (or registry.host)" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* scaling */}}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) -}}
{{- fail "autoscaling.minReplicas is larger than autoscaling.maxReplicas" -}}
{{- end -}}
{{- if and $v.autoscaling.enabled (not (or (gt (int $v.autoscaling.targetCPUUtilizationPercentage) 0) (gt (int $v.autoscaling.targetMemoryUtilizationPercentage) 0))) -}}
{{- fail "autoscaling.enabled needs autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage above 0" -}}
{{- end -}}
{{- end -}}

{{/* Lines for NOTES.txt about values that were translated or have no effect. */}}
{{- define "td.warnings" -}}
{{- $v := .Values -}}
{{- $env := $v.app.env -}}
{{- if hasKey $env "REALTIME_WEBSOCKET_ENABLED" }}
- app.env.REALTIME_WEBSOCKET_ENABLED is not read by Trigger.dev 3.3 and was dropped; the realtime API is served through Electric: set electric.enabled=true.
{{- end }}
{{- if hasKey $env "SMTP_FROM_ADDRESS" }}
- app.env.SMTP_FROM_ADDRESS was passed as FROM_EMAIL (the name the app reads).
{{- end }}
{{- if hasKey $env "MAX_PAYLOAD_SIZE_MB" }}
- app.env.MAX_PAYLOAD_SIZE_MB was passed as TASK_PAYLOAD_MAXIMUM_SIZE in bytes; payloads above 512KiB also need OBJECT_STORE_* settings.
{{- end }}
{{- if and (eq (toString (get $env "SMTP_SECURE")) "true") (eq (toString (get $env "SMTP_PORT")) "587") }}
- app.env.SMTP_SECURE=true with SMTP_PORT=587: secure=true means TLS from the first byte (port 465); port 587 uses STARTTLS with SMTP_SECURE=false.
{{- end }}
{{- if ne (int $v.supervisor.workloadApi.dequeueIntervalMs) 1000 }}
- supervisor.workloadApi.dequeueIntervalMs has no effect on Trigger.dev 3.3 (the webapp pushes work to the coordinator).
{{- end }}
{{- if ne (int $v.redis.connectTimeout) 5000 }}
- redis.connectTimeout has no effect: Trigger.dev 3.3 has no setting for it.
{{- end }}
{{- if $v.supervisorImage.tag }}
- supervisorImage is not used: the supervisor image exists only for Trigger.dev 4.x.
{{- end }}
{{- if not (include "td.registry" . | fromJson).host }}
- registry.host is empty: `trigger.dev deploy --self-hosted --push` has nowhere to push task images until it is set.
{{- end }}
{{- if not (include "td.publicUrl" .) }}
- No public URL (app.publicUrl, ingress or TRIGGER_DOMAIN): the dashboard assumes http://localhost:{{ $v.app.service.port }} (kubectl port-forward).
{{- end }}
{{- end -}}
