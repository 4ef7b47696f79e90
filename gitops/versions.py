"""Trigger.dev release versions: parsing, ordering, the catalogue of published releases, image tags.

    v = parse_version("v3.3.18")      # Version(3, 3, 18); "3.3.18" is the same
    v.image_tag                        # "v3.3.18" (the upstream tag form)
    is_published(v)                    # True; 3.3.19 is not a published release

Only full release versions are accepted: no "latest", no "3.3", no pre-release suffixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops.errors import VersionError

SUPPORTED_MAJOR = 3

# Published Trigger.dev v3.3 image tags (webapp, coordinator, kubernetes provider), from the runtime contract.
# 3.3.12, 3.3.14-3.3.16 and 3.3.19 were never published.
PUBLISHED = frozenset([f"3.3.{patch}" for patch in range(0, 12)] + ["3.3.13", "3.3.17", "3.3.18"])

_VERSION = re.compile(r"^v?(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def image_tag(self) -> str:
        return f"v{self}"


def parse_version(text: str) -> Version:
    """Parse ``3.3.18`` or ``v3.3.18``; refuse everything else and any major other than 3."""
    shown = text if len(text) <= 40 else text[:40] + "..."
    match = _VERSION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise VersionError(
            f"{shown!r} is not a full release version; give MAJOR.MINOR.PATCH such as 3.3.18 (a leading v is fine)"
        )
    version = Version(*(int(part) for part in match.groups()))
    if version.major != SUPPORTED_MAJOR:
        raise VersionError(
            f"{version} is Trigger.dev {version.major}.x; this repository runs 3.x only. "
            "4.x needs a different topology (webapp + supervisor + Electric + ClickHouse + object store, "
            "upstream chart oci://ghcr.io/triggerdotdev/charts/trigger): migrate the fleet deliberately, not by bump"
        )
    return version


def is_published(version: Version) -> bool:
    return str(version) in PUBLISHED


def latest_published() -> Version:
    return max(parse_version(v) for v in PUBLISHED)
