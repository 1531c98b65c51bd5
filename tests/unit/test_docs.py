"""The README and ``docs/``: every relative link leads somewhere, and the README stays the short
way in that starts with the two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from locations import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*```")


def _prose(page: Path) -> list[str]:
    """The page's lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in page.read_text().splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(line.lstrip("#")) for line in _prose(page) if re.match(r"#{1,6} ", line)}


def test_the_slug_is_githubs() -> None:
    assert _slug("Real people's posts (`../shared/data/real_dev.yml`)") == (
        "real-peoples-posts-shareddatareal_devyml"
    )
    assert _slug("Follow-ups: the conversation state") == "follow-ups-the-conversation-state"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_points_to_a_file_and_heading_that_exist(page: Path) -> None:
    broken = []
    for line in _prose(page):
        for target in LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{target}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{target}: no such heading")
    assert not broken, f"{page.relative_to(REPO)}: {broken}"


def test_every_page_of_docs_is_linked_from_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    unlinked = [p.name for p in PAGES[1:] if f"(docs/{p.name})" not in readme]
    assert not unlinked


def test_the_readme_starts_with_the_two_commands_and_stays_short() -> None:
    lines = (REPO / "README.md").read_text().splitlines()
    first_block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert [line.split()[:2] for line in first_block] == [["make", "run"], ["make", "test"]]
    assert lines.index("```sh") < 5
    # The README takes a clinic from nothing to a running bot; depth belongs in docs/.
    assert len(lines) <= 250
