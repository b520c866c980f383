"""AST → spec text, in canonical layout: `parse(unparse(spec)) == spec`."""

from __future__ import annotations

from hierc.language import ast
from hierc.language.arithmetic import render


def unparse(spec: ast.Spec) -> str:
    return "".join(unparse_statement(s) + "\n" for s in spec.statements)


def unparse_statement(node: ast.Statement) -> str:
    match node:
        case ast.ModelDecl(name=name):
            return f"model {name.text}"
        case ast.DataDecl(path=path):
            return f"data {_string(path)}"
        case ast.FamilyDecl(name=name, args=args):
            return f"family {name.text}" + (f"({_args(args)})" if args else "")
        case ast.Formula(response=response, terms=terms):
            return f"{_response(response)} ~ {_sum(terms)}"
        case ast.PriorDecl(target=target, distribution=dist, truncation=truncation):
            bounds = "" if truncation is None else f" T[{_bound(truncation.lower)}, {_bound(truncation.upper)}]"
            return f"prior {_target(target)} ~ {_value(dist)}{bounds}"
        case ast.ParamDecl(group=group, value=value):
            where = f"({_group_factor(group)})" if group is not None else ""
            return f"param{where} = {value.text}"
    raise TypeError(f"cannot unparse {node!r}")


def unparse_term(node: ast.Term) -> str:
    match node:
        case ast.GroupTerm(terms=terms, correlated=correlated, factor=factor):
            return f"({_sum(terms)} {'|' if correlated else '||'} {_group_factor(factor)})"
        case ast.Product(operands=operands):
            return "*".join(unparse_term(op) for op in operands)
        case ast.Interaction(factors=factors):
            return ":".join(unparse_term(f) for f in factors)
        case ast.Name() | ast.Number() | ast.Call() | ast.BinaryOp() | ast.Negation():
            return _value(node)
    raise TypeError(f"cannot unparse {node!r}")


def _sum(terms: tuple[ast.SignedTerm, ...]) -> str:
    text = ""
    for position, signed in enumerate(terms):
        if position == 0:
            text = ("-" if signed.negated else "") + unparse_term(signed.term)
        else:
            text += (" - " if signed.negated else " + ") + unparse_term(signed.term)
    return text


def _response(node: ast.Response) -> str:
    if not node.additions:
        return _value(node.name)
    return f"{_value(node.name)} | " + " + ".join(_value(a) for a in node.additions)


def _bound(node: ast.Number | None) -> str:
    return "" if node is None else node.text


def _target(node: ast.PriorTarget) -> str:
    text = node.name.text
    if node.group is not None:
        text += f"({_group_factor(node.group)})"
    if node.coefficient is not None:
        text += f"[{unparse_term(node.coefficient)}]"
    return text


def _group_factor(node: ast.GroupFactor) -> str:
    return "/".join(":".join(n.text for n in part.names) for part in node.parts)


def _args(args: tuple[ast.Arg, ...]) -> str:
    return ", ".join((f"{a.name.text} = " if a.name is not None else "") + _value(a.value) for a in args)


def _value(node: ast.Value) -> str:
    return render(node, _split)


def _split(node: ast.Value) -> tuple:
    match node:
        case ast.BinaryOp(op=op, left=left, right=right):
            return "binary", op, left, right
        case ast.Negation(operand=operand):
            return "negated", operand
        case ast.Number(text=text):
            return "atom", text
    return "atom", _atom(node)


def _atom(node: ast.Value) -> str:
    match node:
        case ast.Name(text=text):
            return text
        case ast.String():
            return _string(node)
        case ast.Call(func=func, args=args):
            return f"{func.text}({_args(args)})"
    raise TypeError(f"cannot unparse {node!r}")


def _string(node: ast.String) -> str:
    escaped = node.value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
