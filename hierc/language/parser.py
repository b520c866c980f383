"""Text → AST: the Lark parser, its newline handling, and friendly syntax errors."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

import lark
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from hierc.errors import Diagnostic, SpecError
from hierc.language import ast
from hierc.language.source import Source, Span

# A newline does not end a statement after these tokens, nor before a line
# that starts with one of these characters: `y ~ x1 + x2` may be split after
# `+`, or before it.
_CONTINUES_AFTER = frozenset(
    ("TILDE", "BAR", "DOUBLE_BAR", "PLUS", "MINUS", "STAR", "COLON", "SLASH", "CARET", "EQUALS", "_COMMA")
)
# Possessive: blanks and comments are skipped without backtracking, so a banner of `#` costs linear time.
_CONTINUATION_LINE = re.compile(r"(?:\s|#[^\n]*+)*+[~|+\-*:/^=,)\]]")
_OPENERS = {"_LPAR", "_LSQB"}
_CLOSERS = {"_RPAR", "_RSQB"}
MAX_NESTING = 40  # brackets open at once; deeper specs are errors, so no stage recurses without bound


class _TooDeep(Exception):
    def __init__(self, token: Token):
        self.token = token


class _StatementBreaks:
    """Lark post-lexer: keeps only the newlines that end a statement.

    It looks ahead in the text, not in the token stream: the contextual lexer
    picks terminals by parser state, so tokens must reach the parser one at a time.
    """

    always_accept = ("_NL",)

    def __init__(self) -> None:
        self.text = ""
        self.open_brackets: list[Token] = []
        self.matched: dict[int, Token] = {}  # closer position → its opener, for error messages

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        self.open_brackets, self.matched = [], {}
        previous: Token | None = None
        for token in stream:
            if token.type == "_NL":
                if (
                    previous is not None
                    and not self.open_brackets
                    and previous.type not in _CONTINUES_AFTER
                    and not _CONTINUATION_LINE.match(self.text, token.end_pos)
                ):
                    yield token
                    previous = None
                continue
            if token.type in _OPENERS:
                self.open_brackets.append(token)
                if len(self.open_brackets) > MAX_NESTING:
                    raise _TooDeep(token)
            elif token.type in _CLOSERS and self.open_brackets:
                self.matched[token.start_pos] = self.open_brackets.pop()
            yield token
            previous = token
        if previous is not None:
            yield Token("_NL", "\n", line=previous.end_line, column=previous.end_column)


_POSTLEX = _StatementBreaks()


def _grammar_text() -> str:
    """The grammar ships inside the wheel as hierc/grammar/hm.lark; in a source checkout it is grammar/hm.lark."""
    packaged = resources.files("hierc").joinpath("grammar/hm.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammar" / "hm.lark").read_text(encoding="utf-8")


@cache
def _lark() -> Lark:
    grammar = _grammar_text()
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        postlex=_POSTLEX,
        propagate_positions=True,
        maybe_placeholders=True,
        cache=_private_cache_file(grammar) or False,  # the parse table, computed once per grammar, then loaded
    )


def _private_cache_file(grammar: str) -> str | None:
    """Where to keep the pickled parse table: in the user's own cache directory, and only where no one else
    can write (Lark's default, a fixed name in the shared temp directory, would load anyone's pickle).
    None: build the table each time (some 20 ms)."""
    if not hasattr(os, "getuid"):
        return None
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hierc"
    digest = hashlib.sha256(f"{grammar}{lark.__version__}".encode()).hexdigest()[:16]
    path = folder / f"grammar-{digest}.lark.pickle"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for place in (folder, path) if path.exists() else (folder,):
            info = place.lstat()
            if info.st_uid != os.getuid() or info.st_mode & 0o022 or stat.S_ISLNK(info.st_mode):
                return None
    except OSError:
        return None
    return str(path)


def parse(text: str, name: str = "<string>") -> ast.Spec:
    """Parse spec text into its AST; raises SpecError with a located message on bad syntax."""
    source = Source(text, name)
    _POSTLEX.text = text
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as error:
        raise SpecError([_syntax_diagnostic(error, source)], source) from None
    except _TooDeep as error:
        message = f"brackets nest more than {MAX_NESTING} deep here"
        hint = "a spec this deep is not one a model needs; write it flatter"
        raise SpecError([Diagnostic(message, _span(error.token), hint)], source) from None
    try:
        return _ToAst().transform(tree)
    except VisitError as error:  # the transformer only builds nodes; this is our bug
        raise error.orig_exc from None


def parse_file(path: str | Path) -> ast.Spec:
    from hierc.language.pipeline import read_source  # the pipeline imports this module

    source = read_source(path)
    return parse(source.text, source.name)


# ---- parse tree → AST --------------------------------------------------------


def _span(token: Token) -> Span:
    return Span(token.line, token.column, token.end_line, token.end_column)


def _meta_span(meta) -> Span | None:
    return None if meta.empty else Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _nodes(children) -> list:
    """Children that are AST nodes (drops punctuation tokens and empty optionals)."""
    return [c for c in children if isinstance(c, ast.Node)]


@v_args(meta=True)
class _ToAst(Transformer):
    """Builds AST nodes only; all validation happens later, in hierc.language.lower."""

    @v_args(inline=True)
    def NAME(self, token):
        return ast.Name(str(token), span=_span(token))

    @v_args(inline=True)
    def NUMBER(self, token):
        return ast.Number(float(token), str(token), span=_span(token))

    @v_args(inline=True)
    def STRING(self, token):
        # only \" \' and \\ are escapes, so Windows paths stay as written
        value = re.sub(r"\\([\"'\\])", r"\1", str(token)[1:-1])
        return ast.String(value, span=_span(token))

    def start(self, meta, children):
        return ast.Spec(tuple(_nodes(children)), span=_meta_span(meta))

    def model_decl(self, meta, children):
        return ast.ModelDecl(*_nodes(children), span=_meta_span(meta))

    def data_decl(self, meta, children):
        return ast.DataDecl(*_nodes(children), span=_meta_span(meta))

    def family_decl(self, meta, children):
        name, *args = _nodes(children)
        return ast.FamilyDecl(name, tuple(args), span=_meta_span(meta))

    def formula(self, meta, children):
        response, terms = _nodes(children)[0], children[-1]
        return ast.Formula(response, terms, span=_meta_span(meta))

    def response(self, meta, children):
        name, *additions = _nodes(children)
        return ast.Response(name, tuple(additions), span=_meta_span(meta))

    def addition(self, meta, children):
        return children[0]

    def rhs(self, meta, children):
        # children: [MINUS | None], term, (sign, term)*
        terms = []
        negated = children[0] is not None
        sign_start = children[0]
        for child in children[1:]:
            if isinstance(child, Token):
                negated = child.type == "MINUS"
                sign_start = child
                continue
            span = child.span if sign_start is None else _span(sign_start).to(child.span)
            terms.append(ast.SignedTerm(negated, child, span=span))
            negated, sign_start = False, None
        return tuple(terms)

    def group_term(self, meta, children):
        terms, bar, factor = children
        return ast.GroupTerm(terms, bar.type == "BAR", factor, span=_meta_span(meta))

    def product(self, meta, children):
        return ast.Product(tuple(_nodes(children)), span=_meta_span(meta))

    def interaction(self, meta, children):
        return ast.Interaction(tuple(_nodes(children)), span=_meta_span(meta))

    def group_factor(self, meta, children):
        return ast.GroupFactor(tuple(_nodes(children)), span=_meta_span(meta))

    def group_part(self, meta, children):
        return ast.GroupPart(tuple(_nodes(children)), span=_meta_span(meta))

    def prior_target(self, meta, children):
        name, group, coefficient = children
        return ast.PriorTarget(name, group, coefficient, span=_meta_span(meta))

    def coefficient(self, meta, children):
        return children[0]

    def prior_decl(self, meta, children):
        target, call, *truncation = _nodes(children)
        if isinstance(call, ast.Name):  # `prior b ~ flat` is `flat()`
            call = ast.Call(call, span=call.span)
        return ast.PriorDecl(target, call, truncation[0] if truncation else None, span=_meta_span(meta))

    def truncation(self, meta, children):
        lower, upper = children
        return ast.Truncation(lower, upper, span=_meta_span(meta))

    def bound(self, meta, children):
        minus, number = children
        if minus is None:
            return number
        return ast.Number(-number.value, "-" + number.text, span=_meta_span(meta))

    def param_decl(self, meta, children):
        group, value = children[0], _nodes(children)[-1]
        return ast.ParamDecl(group, value, span=_meta_span(meta))

    def call(self, meta, children):
        func, *args = _nodes(children)
        return ast.Call(func, tuple(args), span=_meta_span(meta))

    def arg(self, meta, children):
        name, value = children[0], children[-1]
        return ast.Arg(name, value, span=_meta_span(meta))

    def negative(self, meta, children):
        operand = children[-1]
        if isinstance(operand, ast.Number) and not operand.text.startswith("-"):
            return ast.Number(-operand.value, "-" + operand.text, span=_meta_span(meta))
        return ast.Negation(operand, span=_meta_span(meta))

    def _binary(self, meta, children):
        left, op, right = children
        return ast.BinaryOp(str(op), left, right, span=_meta_span(meta))

    arith_sum = arith_product = arith_power = _binary


# ---- syntax errors -----------------------------------------------------------

_TOKEN_NAMES = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "TILDE": "`~`",
    "DOUBLE_BAR": "`||`",
    "BAR": "`|`",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "STAR": "`*`",
    "COLON": "`:`",
    "SLASH": "`/`",
    "CARET": "`^`",
    "EQUALS": "`=`",
    "_LPAR": "`(`",
    "_RPAR": "`)`",
    "_LSQB": "`[`",
    "_RSQB": "`]`",
    "_COMMA": "`,`",
    "_NL": "end of line",
    "$END": "end of file",
    "MODEL": "`model`",
    "DATA": "`data`",
    "FAMILY": "`family`",
    "PRIOR": "`prior`",
    "PARAM": "`param`",
}
_KEYWORDS = {"MODEL", "DATA", "FAMILY", "PRIOR", "PARAM"}
_STATEMENT_STARTS = _KEYWORDS | {"NAME"}


def _describe(token: Token) -> str:
    if token.type in ("NAME", "NUMBER", "STRING"):
        return f"{_TOKEN_NAMES[token.type].split()[-1]} `{token}`"
    return _TOKEN_NAMES.get(token.type, f"`{token}`")


def _expected(names: set[str]) -> str:
    # after a prior, `T[...]` is a rarely wanted option: the line's end is what a reader needs to hear of
    described = sorted({_TOKEN_NAMES.get(n, n) for n in names if n not in ("COMMENT", "T")})
    if len(described) == 1:
        return described[0]
    return ", ".join(described[:-1]) + " or " + described[-1]


def _brms_prior_hint(line: str) -> str | None:
    """The spec's line for brms's `prior(normal(0, 1), class = b, coef = x)`, or None if it is not one."""
    found = re.match(r"\s*prior\s*\((.*)\)\s*(#.*)?$", line)
    if found is None:
        return None
    inside = found.group(1)
    options = dict(re.findall(r",\s*(class|coef|group)\s*=\s*[\"']?([\w.:]*)[\"']?", inside))
    distribution = re.split(r",\s*(?:class|coef|group|lb|ub|dpar|nlpar|resp)\s*=", inside)[0].strip()
    if "class" not in options or not distribution:
        return None
    target = options["class"]
    if options.get("group"):
        target += f"({options['group']})"
    if options.get("coef"):
        target += f"[{options['coef']}]"
    bounds = dict(re.findall(r",\s*(lb|ub)\s*=\s*(-?[\d.]+(?:[eE][+-]?\d+)?)", inside))
    truncation = f" T[{bounds.get('lb', '')}, {bounds.get('ub', '')}]" if bounds else ""  # brms's bounds
    return f"write `prior {target} ~ {distribution}{truncation}`"


def _syntax_diagnostic(error: UnexpectedInput, source: Source) -> Diagnostic:
    if isinstance(error, UnexpectedCharacters):
        char = source.text[error.pos_in_stream] if error.pos_in_stream < len(source.text) else ""
        span = Span(error.line, error.column, error.line, error.column + 1)
        hint = None
        if char == "\t":
            char = "\\t"
        if char in "{}":
            hint = "group terms use parentheses: `(1 | g)`"
        elif char in "\"'":
            hint = "a string is missing its closing quote"
        return Diagnostic(f"unexpected character `{char}`", span, hint)

    assert isinstance(error, UnexpectedToken)
    token = error.token
    # what the parser accepts here (error.expected also lists the always-lexed newline)
    expected = set(error.interactive_parser.accepts()) if error.interactive_parser else set(error.expected)
    at_end = token.type in ("$END", "_NL")
    span = source.end_span() if token.type == "$END" else _span(token)
    if token.type == "_NL":
        # point just past the end of the line, where something is missing
        line = source.line(token.line)
        span = Span(token.line, len(line) + 1, token.line, len(line) + 2)

    previous = error.token_history[-1] if error.token_history else None
    if _POSTLEX.open_brackets and (
        at_end or (token.type in _KEYWORDS and token.line > _POSTLEX.open_brackets[-1].line)
    ):
        opener = _POSTLEX.open_brackets[-1]
        closer = "`)`" if opener.type == "_LPAR" else "`]`"
        return Diagnostic(f"`{opener}` is never closed", _span(opener), f"add {closer} to close it")
    if token.type in _CLOSERS and token.type not in expected:
        # the lexer may reject a closer before the post-lexer has seen it
        opener = _POSTLEX.matched.get(token.start_pos) or (_POSTLEX.open_brackets or [None])[-1]
        if opener is None:
            wanted = "(" if token.type == "_RPAR" else "["
            return Diagnostic(f"unmatched `{token}`", span, f"remove it, or add the `{wanted}` it closes")
        if previous is not None and previous.start_pos == opener.start_pos:
            return Diagnostic(f"empty `{opener}{token}`", _span(opener).to(span))
        if token.type == "_RPAR" and {"BAR", "DOUBLE_BAR"} <= expected:
            return Diagnostic(
                "parentheses in a formula hold a group term, `(terms | g)`",
                _span(opener).to(span),
                "add `| g` for effects varying by g; plain grouping such as `(a + b)` is not supported",
            )
    if previous is not None and previous.type == "PRIOR" and token.type == "_LPAR":
        line = source.line(token.line)
        return Diagnostic(
            "a prior reads `prior TARGET ~ distribution`, not brms's `prior(distribution, class = ...)`",
            _span(previous),
            _brms_prior_hint(line) or "e.g. `prior b ~ normal(0, 1)` or `prior sd(g) ~ halfnormal(1)`",
        )
    if previous is not None and previous.type in _KEYWORDS and token.type in ("TILDE", "BAR"):
        return Diagnostic(
            f"`{previous}` starts a statement, so it cannot be the name of the response",
            _span(previous),
            "rename the response column",
        )

    message = f"unexpected {_describe(token)}; expected {_expected(expected)}"
    hint = None
    if token.type == "CARET":
        hint = "arithmetic in a formula goes inside `I(...)`, e.g. `I(x^2)`"
    elif token.type == "STAR" and previous is not None and previous.type == "STAR":
        hint = "a power is written with `^`, e.g. `I(x^2)`"
    elif "PLUS" in expected and token.type in ("NAME", "NUMBER", "_LPAR"):
        hint = "terms are joined with `+`; is a `+` missing?"
    elif token.type in ("BAR", "DOUBLE_BAR") and expected & {"PLUS", "_NL"}:
        hint = "a group term goes in parentheses, e.g. `(1 | g)`"
    elif "TILDE" in expected and expected <= {"TILDE", "BAR", "_LPAR"}:  # `(`: the response may be `log(y)`
        message = f"expected `~` after the response, found {_describe(token)}"
        hint = "a formula reads `response ~ terms`, e.g. `y ~ 1 + x`"
    elif {"MODEL", "PRIOR"} <= expected and token.type not in _STATEMENT_STARTS:
        message = f"unexpected {_describe(token)} at the start of a statement"
        hint = "a statement is a formula (`y ~ ...`) or starts with `model`, `data`, `family`, `prior` or `param`"
    elif "_NL" in expected and token.type in _STATEMENT_STARTS:
        message = f"unexpected {_describe(token)}; expected end of line"
        hint = "put each statement on its own line"
    elif at_end:
        message = f"unexpected {_describe(token)}; expected {_expected(expected)}"
        hint = "the statement is incomplete"
    return Diagnostic(message, span, hint)
