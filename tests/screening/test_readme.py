"""The README stays true: every setting is documented, and the quick start is the two commands."""

from __future__ import annotations

import os
import re

from screening.config import SETTINGS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        return handle.read()


def test_every_setting_is_in_the_readme():
    text = readme()
    missing = [name for name in SETTINGS if f"`{name}`" not in text]
    assert not missing, f"document these settings in README.md: {missing}"


def test_quick_start_is_exactly_two_commands():
    quick = readme().split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick, re.S).group(1)
    assert block.split("\n")[:-1] == ["make run", "make test"]


def test_the_readme_error_example_is_what_the_api_says(as_exporter, order):
    body = as_exporter.screen(order(lines=[{"cas": "67-64-1", "quantity": 0, "unit": "kg"}])).get_json()
    message = body["errors"]["json"]["lines"]["0"]["quantity"][0]
    assert message in readme()
