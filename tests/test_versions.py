"""Version rules: full releases only, v-prefix optional, 3.x only, the published catalogue."""

from __future__ import annotations

import pytest

from gitops.errors import VersionError
from gitops.versions import Version, is_published, latest_published, parse_version


@pytest.mark.parametrize("text", ["3.3.19", "v3.3.19", " 3.3.19 "])
def test_with_or_without_v_is_the_same_version(text):
    assert parse_version(text) == Version(3, 3, 19)
    assert parse_version(text).image_tag == "v3.3.19"


@pytest.mark.parametrize(
    "text",
    ["latest", "3.3", "banana", "3.3.18; rm -rf /", "$(reboot)", "3.3.18-rc.1", "03.3.18", "", "v", "3.3.18.1"],
)
def test_anything_but_a_full_release_is_refused(text):
    with pytest.raises(VersionError, match="is not a full release version"):
        parse_version(text)


def test_crossing_to_4x_says_what_4x_needs():
    with pytest.raises(VersionError, match=r"4\.0\.0 is Trigger.dev 4.x.*supervisor.*ClickHouse"):
        parse_version("4.0.0")


def test_versions_order_numerically():
    assert parse_version("3.3.9") < parse_version("3.3.10")


def test_catalogue_matches_the_published_tags():
    assert is_published(parse_version("3.3.18"))
    assert is_published(parse_version("3.3.13"))
    for missing in ("3.3.12", "3.3.14", "3.3.15", "3.3.16", "3.3.19"):
        assert not is_published(parse_version(missing))
    assert latest_published() == Version(3, 3, 18)
