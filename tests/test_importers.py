"""Importers on the real files people have (issue 19, parts 1 and 5)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app
from goldenbridge.importers import available, import_files
from goldenbridge.scenario import ScenarioError, read_text

DATA = Path(__file__).parent / "data"
GENIUS = DATA / "genius" / "EnglandZimbabwe"
GENIUS_FILES = [
    GENIUS / "EnglandZimbabwe_domain.xml",
    GENIUS / "England.xml",
    GENIUS / "Zimbabwe.xml",
]
runner = CliRunner()


def test_registry_lists_every_format():
    assert available() == ["decide", "eum", "genius", "ktab"]
    with pytest.raises(ScenarioError, match="unknown format 'xml'"):
        import_files("xml", [GENIUS_FILES[0]])


def test_genius_england_zimbabwe():
    s = gb.load_genius(*GENIUS_FILES)
    assert [a.name for a in s.actors] == ["England", "Zimbabwe"]
    assert [len(i.options or []) for i in s.issues] == [4, 4, 3, 3, 4]
    england = s.actor("England")
    assert england.values["Size of Fund"]["$10 billion"].mean() == 9
    assert england.values["England Trade Policy"]["England will reduce imports"].mean() == 10
    assert england.salience["Size of Fund"].mean() == pytest.approx(0.3031462333758278)
    zimbabwe = s.actor("Zimbabwe")
    assert zimbabwe.values["England Trade Policy"]["England will increase imports"].mean() == 19
    assert england.war_value.mean() == 0 and zimbabwe.war_value.mean() == 0
    assert (s.proposer.name, s.target.name) == ("England", "Zimbabwe")


def test_genius_files_in_any_order_and_roles():
    s = gb.load_genius(GENIUS_FILES[2], GENIUS_FILES[0], GENIUS_FILES[1])
    assert (s.proposer.name, s.target.name) == ("Zimbabwe", "England")
    s = gb.load_genius(*GENIUS_FILES, proposer="Zimbabwe", target="England")
    assert (s.proposer.name, s.target.name) == ("Zimbabwe", "England")


def test_ktab_soe_policy():
    s = gb.load_ktab(DATA / "ktab" / "SOE-Policy.csv")
    assert len(s.actors) == 26 and [i.name for i in s.issues] == ["Policy"]
    xj = s.actor("XJ")
    assert (xj.capability.mean(), xj.position["Policy"].mean()) == (100, 30)
    assert xj.salience["Policy"].mean() == pytest.approx(0.30)
    assert s.actor("USA").position["Policy"].mean() == 100
    assert s.actor("ZGB").description == "Zhang Guobao - former NDRC; still influential"


def _decide_rows(path):
    with open(path) as f:
        return [r for r in csv.reader(f, delimiter="\t", quotechar="'") if r]


def test_decide_cop21_counts_and_spot_values():
    s = gb.load_decide(DATA / "decide" / "cop21.csv")
    assert (len(s.actors), len(s.issues)) == (15, 13)
    n_positions = sum(len(a.position) for a in s.actors)
    assert n_positions == sum(
        1 for r in _decide_rows(DATA / "decide" / "cop21.csv") if r[0] == "#D"
    )
    assert n_positions == 181
    usa = s.actor("USA")
    assert usa.capability.mean() == 1.0
    assert (usa.position["ld"].mean(), usa.salience["ld"].mean()) == (0.0, 0.9)
    african = s.actor("African_grp")
    assert african.position["finance_vol"].mean() == 100 and african.capability.mean() == 0.25
    assert all((i.min, i.max) == (0, 100) for i in s.issues)


def test_decide_scale_points_and_other_files():
    s = gb.load_decide(DATA / "decide" / "sample_data.txt")
    hoogte = s.issue("tol-hoogte")
    assert (hoogte.min, hoogte.max) == (0.5, 7)
    assert s.actor("Willems").position["tol-hoogte"].mean() == 3
    s = gb.load_decide(DATA / "decide" / "copenhagen.csv")
    assert (len(s.actors), len(s.issues)) == (11, 7)


@pytest.mark.parametrize(
    ("name", "n", "spot", "value"),
    [
        ("EC_car_emissions_dmasad.csv", 10, ("Netherlands", 7.0, 0.4), (4, 10)),
        ("EC_car_emissions_jmckib.csv", 10, ("Netherlands", 4.0, 0.8), (4, 10)),
        ("China_1989_dmasad.csv", 24, ("Shangkun", 20.0, 0.85), (10, 100)),
        ("Saudi_Sultan_jmckib.csv", 17, ("FAHD", 13.0, 0.9), (12.85, 14.25)),
        ("Honduras_Nicaragua_dmasad.csv", 5, ("United States", 0.5, 0.1), (0, 1)),
    ],
)
def test_eum_files(name, n, spot, value):
    s = gb.load_eum(DATA / "bdm_eum" / name)
    assert len(s.actors) == n
    actor, position, salience = spot
    a = s.actor(actor)
    assert a.position["issue"].mean() == position
    assert a.salience["issue"].mean() == pytest.approx(salience)
    assert (s.issues[0].min, s.issues[0].max) == value


def test_written_file_reads_back_with_its_header(tmp_path):
    out = tmp_path / "ec.yaml"
    result = runner.invoke(
        app,
        [
            "import",
            "eum",
            str(DATA / "bdm_eum" / "EC_car_emissions_jmckib.csv"),
            "-o",
            str(out),
            "--proposer",
            "Germany",
            "--target",
            "UK",
            "--veto",
            "France",
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# Imported by goldenbridge from expected-utility-model CSV")
    assert "sha256" in text and "Roles (given): proposer Germany, target UK, veto France" in text
    s = read_text(text, str(out))
    assert (s.proposer.name, s.target.name, [v.name for v in s.vetoes]) == (
        "Germany",
        "UK",
        ["France"],
    )
    assert s.actor("Italy").role == "stakeholder"


def test_import_json_is_one_document():
    result = runner.invoke(app, ["import", "ktab", str(DATA / "ktab" / "SOE-Policy.csv"), "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["actors"] == 26 and doc["roles"]["XJ"] == "proposer"
    assert yaml.safe_load(doc["yaml"])["name"] == "SOE-Policy"


def _bad(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("fmt", "name", "text", "expected"),
    [
        (
            "eum",
            "a.csv",
            "Actor,Capability,Position,Salience\nA,1,5,0.5\nB,x,6,0.5\n",
            "a.csv: row 3, column Capability: 'x' is not a number",
        ),
        (
            "eum",
            "b.csv",
            "Actor,Capability,Place,Salience\nA,1,5,0.5\nB,1,6,0.5\n",
            "b.csv: row 1: no 'position' column",
        ),
        (
            "eum",
            "c.csv",
            "Actor,Capability,Position,Salience\nA,1,5,0.5\nB,1,6,-2\n",
            "c.csv: row 3, column Salience: -2 is outside [0, 100]",
        ),
        (
            "ktab",
            "k.csv",
            "t,d,2,1,\nActor,Description,Influence,P Position,P Salience,\n"
            "A,a,10,30,40,\nB,b,5,101,40,\n",
            "k.csv: row 4, column P Position: 101 is outside [0, 100]",
        ),
        (
            "ktab",
            "k2.csv",
            "t,d,2,1,\nActor,Description,Influence,P Position,Q Salience,\n"
            "A,a,10,30,40,\nB,b,5,60,40,\n",
            "k2.csv: row 2, column 4: expected '<Dim> Position'",
        ),
        (
            "decide",
            "d.csv",
            "'#A'\t'A'\t'A'\t''\n'#P'\t'p'\t'p'\t'p'\n'#D'\t'A'\t'q'\t50\t0.5\t1\n",
            "d.csv: row 3, column issue: unknown issue 'q' (no #P row)",
        ),
        (
            "decide",
            "e.csv",
            "'#A'\t'A'\t'A'\t''\n'#P'\t'p'\t'p'\t'p'\n'#D'\t'A'\t'p'\t50\t1.5\t1\n",
            "e.csv: row 3, column salience: 1.5 is outside [0, 1]",
        ),
        (
            "decide",
            "f.csv",
            "'#A'\t'A'\t'A'\t''\n'#P'\t'p'\t'p'\t'p'\n'#M'\t'p'\t0\n'#M'\t'p'\t10\n"
            "'#D'\t'A'\t'p'\t50\t0.5\t1\n",
            "f.csv: row 5, column position: 50 is outside the scale of 'p' [0, 10]",
        ),
    ],
)
def test_bad_files_name_file_row_column(tmp_path, fmt, name, text, expected):
    path = _bad(tmp_path, name, text)
    with pytest.raises(ScenarioError) as info:
        import_files(fmt, [path])
    assert str(info.value) == f"{tmp_path}/{expected}" or str(info.value).startswith(
        f"{tmp_path}/{expected}"
    )
    result = runner.invoke(app, ["import", fmt, str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]


def test_genius_bad_profile_names_the_item(tmp_path):
    text = (GENIUS / "England.xml").read_text().replace('evaluation="9"', 'evaluation="nine"', 1)
    bad = _bad(tmp_path, "England.xml", text)
    with pytest.raises(
        ScenarioError, match=r"England.xml: issue 'Size of Fund', item '\$10 billion'"
    ):
        gb.load_genius(GENIUS_FILES[0], bad, GENIUS_FILES[2])
    broken = _bad(tmp_path, "Broken.xml", "<utility_space><objective>")
    with pytest.raises(ScenarioError, match="Broken.xml: line 1, column .*: invalid XML"):
        gb.load_genius(GENIUS_FILES[0], GENIUS_FILES[1], broken)


def test_unknown_role_names_the_option():
    with pytest.raises(ScenarioError, match="--target: no actor named 'Mars'"):
        gb.load_ktab(DATA / "ktab" / "SOE-Policy.csv", target="Mars")
    result = runner.invoke(
        app,
        [
            "import",
            "ktab",
            str(DATA / "ktab" / "SOE-Policy.csv"),
            "--proposer",
            "XJ",
            "--target",
            "XJ",
        ],
    )
    assert result.exit_code == 2 and "must differ" in result.stderr


def test_missing_file():
    result = runner.invoke(app, ["import", "eum", "nowhere.csv"])
    assert result.exit_code == 2 and result.stderr.strip() == "error: nowhere.csv: no such file"


def test_genius_reservation_and_discount_are_read(tmp_path):
    text = (GENIUS / "Zimbabwe.xml").read_text()
    text = text.replace(
        '<reservation value="0" />',
        '<reservation value="0.35" />\n\t<discount_factor value="0.9" />',
    )
    profile = tmp_path / "Zimbabwe.xml"
    profile.write_text(text)
    imported = import_files("genius", [GENIUS_FILES[0], GENIUS_FILES[1], profile])
    assert imported.scenario.actor("Zimbabwe").war_value.mean() == 0.35
    header = "\n".join(imported.header)
    assert "Zimbabwe: reservation value 0.35 -> war_value; discount factor 0.9" in header


def test_decide_power_must_be_one_per_actor(tmp_path):
    text = (
        "'#A'\t'A'\t'A'\t''\n'#A'\t'B'\t'B'\t''\n'#P'\t'p'\t'p'\t'p'\n'#P'\t'q'\t'q'\t'q'\n"
        "'#D'\t'A'\t'p'\t50\t0.5\t1\n'#D'\t'A'\t'q'\t50\t0.5\t0.4\n'#D'\t'B'\t'p'\t0\t0.5\t1\n"
    )
    path = _bad(tmp_path, "power.csv", text)
    with pytest.raises(
        ScenarioError,
        match=r"power.csv: row 6, column power: A's power 0.4 "
        r"differs from 1 on row 5",
    ):
        import_files("decide", [path])


def test_status_quo_can_be_given(tmp_path):
    out = tmp_path / "ez.yaml"
    args = ["import", "genius", *map(str, GENIUS_FILES), "-o", str(out)]
    sq = [
        "--status-quo",
        "Size of Fund=No agreement",
        "--status-quo",
        "Forum on Other Health Issues=No",
    ]
    result = runner.invoke(app, [*args, *sq])
    assert result.exit_code == 0, result.output
    s = read_text(out.read_text(), str(out))
    assert s.issue("Size of Fund").status_quo == "No agreement"
    assert s.issue("Impact on Other Aid").status_quo is None  # first option by default
    assert (
        "# Status quo (given): Size of Fund = No agreement, Forum on Other Health Issues = No."
        in (out.read_text())
    )
    bad = runner.invoke(app, [*args, "--status-quo", "Size of Fund=$1 trillion"])
    assert bad.exit_code == 2
    assert "issues.Size of Fund.status_quo: '$1 trillion' is not an option" in bad.stderr
    bad = runner.invoke(app, [*args, "--status-quo", "Mars=1"])
    assert bad.exit_code == 2 and "--status-quo Mars: no issue named 'Mars'" in bad.stderr
    s = import_files(
        "eum", [DATA / "bdm_eum" / "EC_car_emissions_jmckib.csv"], status_quo={"issue": 10}
    ).scenario
    assert s.issues[0].status_quo == 10
