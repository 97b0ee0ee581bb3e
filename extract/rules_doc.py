"""Write the rules reference (docs/rules.md) from the rules files: ``python -m extract.rules_doc > docs/rules.md``."""
from __future__ import annotations

from functools import cache

from extract.lexicon import LANGS, load_data


@cache
def rule_docs() -> dict[str, str]:
    """What each rule matches, by the name claims record (``ar.masdar.number`` → «مقتل 3 أشخاص» …)."""
    return {f"{code}.{r['name']}": str(r.get("doc", "")) for code in LANGS for r in load_data(code)[1]["rules"]}


def render() -> str:
    """The rules of every language as a Markdown reference: name, what it matches, confidence."""
    lines = ["# Extraction rules", "",
             "Generated from `extract/lang/<code>/rules.yaml` by `python -m extract.rules_doc > docs/rules.md`;",
             "a test fails when this file and the rules differ. Each claim's `rule` field names one of these.", ""]
    for code in LANGS:
        _, rules = load_data(code)
        lines += [f"## `{code}`", "", "| rule | matches | confidence |", "| --- | --- | --- |"]
        for r in rules["rules"]:
            doc = rule_docs()[f"{code}.{r['name']}"].replace("|", "\\|")
            lines.append(f"| `{code}.{r['name']}` | {doc} | {r.get('confidence', 0.7)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
