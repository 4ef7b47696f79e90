"""Ask an OCI registry whether the Trigger.dev image tags of a release exist (`invoke bump --verify`).

    verify_tags("https://ghcr.io", "v3.3.18")     # raises VersionError naming the first missing image
    exists("https://ghcr.io", "triggerdotdev/coordinator", "v3.3.18")

Speaks the OCI distribution API: `HEAD /v2/<name>/manifests/<tag>`; on a 401 with a Bearer challenge it
fetches an anonymous pull token from the realm the registry names, as registries such as ghcr.io require.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from gitops.errors import ToolError, VersionError

DEFAULT_REGISTRY = "https://ghcr.io"
IMAGES = ("triggerdotdev/trigger.dev", "triggerdotdev/coordinator", "triggerdotdev/provider/kubernetes")
ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def _request(url: str, method: str, token: str | None = None, timeout: float = 15) -> int:
    headers = {"Accept": ACCEPT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 - registry URL from the user
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as err:
        if err.code == 401:
            raise _Challenge(err.headers.get("WWW-Authenticate", "")) from None
        return err.code
    except (urllib.error.URLError, OSError) as err:
        raise ToolError(f"registry {url.split('/v2/')[0]} not reachable ({getattr(err, 'reason', err)})") from None


class _Challenge(Exception):
    def __init__(self, header: str) -> None:
        super().__init__(header)
        self.params = dict(re.findall(r'(\w+)="([^"]*)"', header))


def _token(challenge: _Challenge, name: str) -> str:
    realm = challenge.params.get("realm")
    if not realm:
        raise ToolError("registry asked for credentials without a Bearer realm; --verify supports anonymous pulls only")
    query = {"scope": challenge.params.get("scope", f"repository:{name}:pull")}
    if "service" in challenge.params:
        query["service"] = challenge.params["service"]
    url = f"{realm}?{urllib.parse.urlencode(query)}"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310
            body = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise ToolError(f"registry token request to {realm} failed ({err})") from None
    return body.get("token") or body.get("access_token") or ""


def exists(base_url: str, name: str, tag: str) -> bool:
    url = f"{base_url.rstrip('/')}/v2/{name}/manifests/{tag}"
    try:
        status = _request(url, "HEAD")
    except _Challenge as challenge:
        try:
            status = _request(url, "HEAD", token=_token(challenge, name))
        except _Challenge:
            raise ToolError(f"registry refused the anonymous token for {name}; --verify needs public images") from None
    if status in (200, 404):
        return status == 200
    raise ToolError(f"registry answered HTTP {status} for {name}:{tag}")


def verify_tags(base_url: str, tag: str) -> None:
    host = urllib.parse.urlsplit(base_url).netloc
    for name in IMAGES:
        if not exists(base_url, name, tag):
            raise VersionError(f"{host}/{name}:{tag} does not exist in the registry; pick a published release")
