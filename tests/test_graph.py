"""`hierc graph`: the model as a graphical model, as DOT text and as pictures drawn by matplotlib."""

from __future__ import annotations

import subprocess
import sys

import pytest
from matplotlib import image

import hierc
from conftest import ROOT, SPECS
from hierc.views.graph import Kind, build_graph, to_dot
from hierc.views.graph_render import layout, render

GOLDEN = ROOT / "tests" / "golden" / "graph"


def run_hierc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hierc", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_golden_dot(spec, golden):
    golden(to_dot(build_graph(hierc.load(spec))), GOLDEN / f"{spec.stem}.dot")


def test_nested_factors_are_plates_inside_plates():
    graph = build_graph(hierc.load(ROOT / "specs" / "clinic_counts.hm"))
    parents = {plate.name: plate.parent for plate in graph.plates}
    assert parents == {"obs": None, "clinic": None, "clinic:ward": "clinic"}
    dot = to_dot(graph)
    assert dot.index('subgraph "cluster_clinic:ward"') > dot.index('subgraph "cluster_clinic"')


def test_parameterizations_show_in_the_graph():
    noncentered = build_graph(hierc.load(ROOT / "specs" / "radon.hm"))
    assert noncentered.node("z_county").kind is Kind.RANDOM
    assert noncentered.node("r_county").kind is Kind.DETERMINISTIC
    assert ("z_county", "r_county") in noncentered.edges and ("cor_county", "r_county") in noncentered.edges
    centered = build_graph(hierc.load(ROOT / "specs" / "radon_centered.hm"))  # levels vary around Intercept, b
    assert centered.node("beta_county").kind is Kind.RANDOM
    assert centered.node("r_county").kind is Kind.DETERMINISTIC
    assert {("Intercept", "beta_county"), ("b", "beta_county"), ("sd_county", "beta_county")} <= set(centered.edges)
    assert not any(node.name.startswith("z_") for node in centered.nodes)
    around_zero = build_graph(hierc.loads("y ~ 1 + (0 + x | g)\nparam = centered\n"))  # x: no population term
    assert around_zero.node("r_g").kind is Kind.RANDOM
    assert not any(node.name.startswith("beta_") for node in around_zero.nodes)
    zerosum = build_graph(hierc.load(ROOT / "specs" / "zerosum_slopes.hm"))
    assert zerosum.node("r_group").note == "zero-sum"


def test_observed_and_fixed_inputs():
    graph = build_graph(hierc.load(ROOT / "specs" / "seedling_binomial.hm"))
    assert graph.node("germinated").kind is Kind.OBSERVED
    assert graph.node("planted").kind is Kind.FIXED and ("planted", "germinated") in graph.edges
    assert graph.node("Z_lab").kind is Kind.FIXED and ("Z_lab", "mu") in graph.edges


def test_with_data_the_plates_count_levels_and_rows():
    for data in (["--data", "specs/eight_schools.csv"], []):  # the spec's own `data` line, as its help says
        result = run_hierc("graph", "specs/eight_schools.hm", *data)
        assert result.returncode == 0, result.stderr
        assert 'label="school (8)"' in result.stdout and 'label="observations (8)"' in result.stdout


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_nodes_do_not_overlap(spec):
    graph = build_graph(hierc.load(spec))
    position = layout(graph)
    points = sorted(position.values())
    assert len(set(points)) == len(points)


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_pictures_are_written(suffix, tmp_path):
    out = tmp_path / f"radon{suffix}"
    result = run_hierc("graph", "specs/radon.hm", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith({".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix])
    if suffix == ".png":
        height, width, _ = image.imread(out).shape
        assert width > 1000 and height > 700
    assert run_hierc("graph", "specs/radon.hm", "-o", str(out)).returncode == 0  # hierc's own file: replaced


def test_a_picture_the_user_made_is_not_replaced(tmp_path):
    out = tmp_path / "mine.png"
    out.write_bytes(b"\x89PNG not hierc's")
    result = run_hierc("graph", "specs/radon.hm", "-o", str(out))
    assert result.returncode == 2 and "pass --force" in result.stderr
    assert out.read_bytes() == b"\x89PNG not hierc's"


def test_an_unknown_format_is_an_error(tmp_path):
    result = run_hierc("graph", "specs/radon.hm", "-o", str(tmp_path / "radon.jpg"))
    assert result.returncode == 2
    assert result.stderr.endswith("use .dot, .png, .svg or .pdf\n")


def test_render_from_python(tmp_path):
    render(build_graph(hierc.load(ROOT / "specs" / "clinic_counts.hm")), tmp_path / "clinic.png")
    assert (tmp_path / "clinic.png").stat().st_size > 20_000
