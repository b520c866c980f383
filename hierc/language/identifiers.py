"""Which names a spec may use for variables, grouping factors and the model.

Names become parts of generated identifiers in every backend (`b_x1`,
`sd_county`, `r_county`), so they must be plain identifiers. Double
underscores are reserved for names hierc generates.
"""

from __future__ import annotations

import keyword
import re

from hierc.language.ir import INTERCEPT

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def identifier_problem(name: str) -> tuple[str, str | None] | None:
    """(message, hint) when `name` cannot be used, else None."""
    suggestion = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_")
    while "__" in suggestion:
        suggestion = suggestion.replace("__", "_")
    hint = f"rename the column, e.g. to `{suggestion}`" if suggestion and suggestion[0].isalpha() else None
    if not _IDENTIFIER.match(name):
        return f"invalid name `{name}`: a name starts with a letter and has only letters, digits and `_`", hint
    if "__" in name:
        return f"invalid name `{name}`: double underscores are reserved for names hierc generates", hint
    if name == INTERCEPT:
        return f"`{INTERCEPT}` is reserved for the intercept", "write `1` in a formula for the intercept"
    return None


def model_name_problem(name: str) -> tuple[str, str | None] | None:
    problem = identifier_problem(name)
    if problem is not None:
        return problem[0], f"rename the model, e.g. to `{sanitize_model_name(name)}`"
    if keyword.iskeyword(name):
        return f"invalid model name `{name}`: it is a Python keyword", f"rename the model, e.g. to `{name}_model`"
    return None


def sanitize_model_name(stem: str) -> str:
    """A valid model name derived from a file name, for specs without a `model` statement."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    while "__" in name:
        name = name.replace("__", "_")
    name = name.strip("_")
    if not name or not name[0].isalpha() or keyword.iskeyword(name):
        name = "model_" + name if name else "model"
    return name
