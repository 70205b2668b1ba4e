"""The monthly package as the township receives it (issue 15, shared/design/sync-bundle.md): decrypted with the
standard `age` tool, its signature checked with a few lines of plain `cryptography`, every member against the
manifest; deterministic content; nothing forgotten until acknowledged; voided and merged records without their
personal fields; refusals that say what to do."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import DomainError
from app.services import households as hh
from app.services import login, merging, voiding
from app.sync import keys, package
from tests.conftest import SETUP
from tests.sync_keys import make_township

TODAY = dt.date(2026, 12, 4)
ORDER = [
    "villager_group",
    "household",
    "person",
    "vital_event",
    "pregnancy",
    "prepregnancy_check",
    "contraceptive_method",
    "folic_acid_course",
    "followup",
    "followup_answer",
    "supply_item",
    "stock_movement",
    "support_entitlement",
    "audit_event",
    "tombstone",
]
NAME = re.compile(r"^FHD_620422103201_1-(\d+)_\d{8}\.fhd$")


@pytest.fixture
def township():
    return make_township()


@pytest.fixture
def village(tmp_path, township):
    session = login.set_up_new_village(tmp_path / "village", SETUP)
    keys.enrol_township(session.db, session.actor, township.public.text())
    yield session
    session.close()


def add_household(session, number: str, names: list[str]) -> list[str]:
    home = hh.create_household(session.db, session.actor, hh.HouseholdInput(number, 1, f"一组 {number} 号"))
    return [
        hh.add_person(
            session.db,
            session.actor,
            home,
            hh.PersonInput(name, sex="F", birth_date=dt.date(1990, 1, 1 + i), phone="13912345678"),
            TODAY,
        )
        for i, name in enumerate(names)
    ]


def export(session, out: Path, **options) -> package.Exported:
    out.mkdir(exist_ok=True)
    return package.export_package(session.db, session.actor, out, month=(2026, 11), **options)


def open_with_age_cli(path: Path, identity_file: Path, tmp: Path) -> bytes:
    age = shutil.which("age")
    if age is None:
        pytest.skip(
            "the standard `age` tool is not installed (Debian package `age`; `bash dev.sh test` installs it)"
        )
    out = tmp / (path.name + ".zip")
    subprocess.run([age, "-d", "-i", str(identity_file), "-o", str(out), str(path)], check=True)
    return out.read_bytes()


def members(zipped: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        return {name: z.read(name) for name in z.namelist()}


def decrypt(path: Path, township) -> dict[str, bytes]:
    return members(pyrage.decrypt(path.read_bytes(), [township.identity]))


def rows(content: dict[str, bytes], table: str) -> list[dict]:
    return [json.loads(line) for line in content.get(f"data/{table}.jsonl", b"").splitlines()]


def test_a_package_opens_with_the_age_tool_and_verifies_with_plain_cryptography(village, township, tmp_path):
    add_household(village, "0101", ["王芳", "李娜"])
    done = export(village, tmp_path / "stick")
    assert NAME.match(done.path.name) and done.encrypted
    assert "王芳" not in done.path.name and done.path.read_bytes().startswith(b"age-encryption.org/v1\n")

    zipped = open_with_age_cli(done.path, township.identity_file(tmp_path), tmp_path)
    content = members(zipped)
    manifest_bytes = content["manifest.json"]
    own, _ = keys.read_keys(village.db)
    # what any township programmer would write: the village's enrolled public key, the signature, the bytes
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(own.sign))
    public.verify(base64.b64decode(content["manifest.sig"]), manifest_bytes)  # raises if it does not verify
    manifest = json.loads(manifest_bytes)
    assert hashlib.sha256(manifest_bytes).hexdigest() == done.package_id

    assert manifest["format"] == "fhd-sync-package" and manifest["format_version"] == 1
    assert manifest["package_type"] == "village_changes" and manifest["crypto"] == "age-x25519+ed25519+sha256"
    assert manifest["origin"]["node"] == SETUP.village_code and manifest["origin"]["key_id"] == own.sign_id
    assert manifest["recipient"] == {"node": "620422103000", "key_id": township.public.age_id}
    assert (manifest["seq"], manifest["prev_package_id"], manifest["since_ack_seq"]) == (1, None, 0)
    assert manifest["period"] == "2026-11" and manifest["full_snapshot"] is True
    assert manifest["audit_head"]["seq"] > 0 and len(manifest["audit_head"]["hash"]) == 64

    listed = {m["path"]: m for m in manifest["members"]}
    assert set(listed) == set(content) - {"manifest.json", "manifest.sig"}
    assert {"report/monthly.json", "report/monthly.xlsx"} <= set(listed)
    for path, entry in listed.items():
        assert hashlib.sha256(content[path]).hexdigest() == entry["sha256"], path
        if path.endswith(".jsonl"):
            assert content[path].count(b"\n") == entry["rows"], path
    data_order = [p.removeprefix("data/").removesuffix(".jsonl") for p in content if p.startswith("data/")]
    assert data_order == sorted(data_order, key=ORDER.index)  # dependency order: parents before children
    assert list(content)[:2] == ["manifest.json", "manifest.sig"]
    for path in (p for p in content if p.endswith(".jsonl")):
        lines = content[path].splitlines()
        parsed = [json.loads(line) for line in lines]
        for line, obj in zip(lines, parsed, strict=True):  # canonical: sorted keys, no spaces, UTF-8
            assert line == json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ids = [obj["id"] for obj in parsed]
        assert ids == sorted(ids), path

    people = rows(content, "person")
    assert sorted(p["data"]["name"] for p in people) == ["李娜", "王芳"]
    for p in people:
        assert (
            p["owner"] == SETUP.village_code
            and p["rev"] >= 1
            and set(p)
            == {
                "id",
                "rev",
                "owner",
                "updated_at",
                "updated_by",
                "data",
            }
        )
    state = manifest["state"]["person"]
    lines = "".join(f"{i}:{r}\n" for i, r in sorted((p["id"], p["rev"]) for p in people))
    assert state == {"count": 2, "digest": hashlib.sha256(lines.encode()).hexdigest()}
    report = json.loads(content["report/monthly.json"])
    assert report["period"] == "2026-11" and report["definitions_version"] and report["tables"]
    zipfile.ZipFile(io.BytesIO(content["report/monthly.xlsx"])).testzip()  # a whole workbook


def test_the_same_state_exports_the_same_bytes(village, township, tmp_path):
    add_household(village, "0101", ["王芳"])
    first = decrypt(export(village, tmp_path / "a").path, township)
    second = decrypt(export(village, tmp_path / "b").path, township)
    assert set(first) == set(second)
    for name in first:
        if name not in ("manifest.json", "manifest.sig", "data/audit_event.jsonl"):
            assert first[name] == second[name], name
    # writing a package is itself audited: the trail grew by that line, and only by it
    assert second["data/audit_event.jsonl"].startswith(first["data/audit_event.jsonl"])
    grown = rows(second, "audit_event")[len(rows(first, "audit_event")) :]
    assert [(line["action"], line["record_id"]) for line in grown] == [("export_package", "sync_package")]
    one, two = json.loads(first["manifest.json"]), json.loads(second["manifest.json"])
    assert (
        two["seq"] == one["seq"] + 1
        and two["prev_package_id"] == hashlib.sha256(first["manifest.json"]).hexdigest()
    )
    changing = {"seq", "prev_package_id", "created_at", "audit_head", "members", "state"}
    assert {k: v for k, v in one.items() if k not in changing} == {
        k: v for k, v in two.items() if k not in changing
    }
    # the zip itself is deterministic: the same members give the same bytes
    again = package.write_zip(list(first.items()))
    assert package.write_zip(list(first.items())) == again


def test_nothing_is_forgotten_until_the_township_acknowledges(village, township, tmp_path):
    first_people = add_household(village, "0101", ["王芳"])
    first = export(village, tmp_path / "stick")
    later = add_household(village, "0102", ["赵敏"])
    second = export(village, tmp_path / "stick")  # the first stick was lost: this one carries both
    ids_second = {p["id"] for p in rows(decrypt(second.path, township), "person")}
    assert set(first_people) | set(later) <= ids_second
    assert {p["id"] for p in rows(decrypt(first.path, township), "person")} <= ids_second

    # the township's return package acknowledges No. 2: from then on only what changed after it travels
    with village.db.write(village.actor) as s:
        package.do_acknowledge(s, village.actor, second.seq, second.package_id)
    coming = package.next_package(village.db)
    assert not coming.full and "person" not in coming.counts
    newest = add_household(village, "0103", ["孙丽"])
    third = decrypt(export(village, tmp_path / "stick").path, township)
    manifest = json.loads(third["manifest.json"])
    assert manifest["since_ack_seq"] == 2 and manifest["full_snapshot"] is False
    assert [p["id"] for p in rows(third, "person")] == newest
    assert manifest["state"]["person"]["count"] == 3  # the state still describes the whole village
    assert [p.acked_at is not None for p in package.history(village.db)] == [False, True, True]


def test_voided_and_merged_records_travel_without_their_personal_fields(village, township, tmp_path):
    wang, li = add_household(village, "0101", ["王芳", "李娜"])
    twin = add_household(village, "0102", ["王芳"])[0]
    voiding.void_person(village.db, village.actor, li, "重复录入", TODAY)
    merging.merge_people(village.db, village.actor, wang, twin, {}, TODAY)
    content = decrypt(export(village, tmp_path / "stick").path, township)

    tombstones = rows(content, "tombstone")
    voided = next(t for t in tombstones if t["id"] == li)
    assert set(voided) == {"id", "table", "rev", "deleted_at", "reason"}
    assert voided["table"] == "person" and voided["reason"] == "重复录入" and voided["rev"] >= 2
    assert li not in {p["id"] for p in rows(content, "person")}
    merged = next(p for p in rows(content, "person") if p["id"] == twin)
    assert merged["data"] == {"status": "merged", "merged_into": wang}
    assert "王芳" not in json.dumps(tombstones, ensure_ascii=False)
    assert b"\xe6\x9d\x8e\xe5\xa8\x9c" not in b"".join(
        v for k, v in content.items() if k.startswith("data/")
    )  # 李娜


def test_without_the_townships_key_only_an_unencrypted_test_package_is_written(tmp_path):
    session = login.set_up_new_village(tmp_path / "village", SETUP)
    try:
        add_household(session, "0101", ["王芳"])
        with pytest.raises(DomainError) as refused:
            export(session, tmp_path / "stick")
        assert "乡镇的公钥" in refused.value.message()
        assert list((tmp_path / "stick").iterdir()) == []
        done = export(session, tmp_path / "stick", unencrypted=True)
        assert done.path.name.endswith(".fhd.zip") and not done.encrypted
        content = members(done.path.read_bytes())
        manifest = json.loads(content["manifest.json"])
        assert manifest["recipient"] is None and manifest["crypto"].startswith("none+")
        own, _ = keys.read_keys(session.db)
        package.verify_inner(done.path.read_bytes(), own.sign)
    finally:
        session.close()


def test_a_real_village_enrols_only_its_own_townships_keys(village, tmp_path):
    def refused(text: str) -> str:
        with pytest.raises(DomainError) as e:
            keys.enrol_township(village.db, village.actor, text)
        return e.value.message()

    assert "演示乡镇" in refused(keys.demo_township_keys().text())
    assert "620422104000" in refused(make_township("620422104000").public.text())
    own, _ = keys.read_keys(village.db)
    assert "村的公钥" in refused(own.text())
    assert "不是完整的公钥文件" in refused(own.text()[:80])
    pasted = make_township().public
    enrolled = keys.enrol_township(village.db, village.actor, "  从微信复制：\n" + pasted.qr_text() + "\n")
    assert enrolled.age == pasted.age and keys.read_keys(village.db)[1].sign == pasted.sign


def test_a_tampered_package_fails_verification_before_anything_is_read(village, township, tmp_path):
    add_household(village, "0101", ["王芳"])
    zipped = pyrage.decrypt(export(village, tmp_path / "stick").path.read_bytes(), [township.identity])
    own, _ = keys.read_keys(village.db)
    package.verify_inner(zipped, own.sign)
    content = members(zipped)
    content["data/person.jsonl"] = content["data/person.jsonl"].replace("王芳".encode(), "王方".encode())
    with pytest.raises(package.PackageRejected) as bad:
        package.verify_inner(package.write_zip(list(content.items())), own.sign)
    assert "person.jsonl" in bad.value.message()
    other = make_township().public  # any other key: the signature is not the village's
    with pytest.raises(package.PackageRejected):
        package.verify_inner(zipped, other.sign)


def test_the_demo_village_packages_open_with_the_published_demo_township_key(tmp_path):
    from app import cli

    folder = tmp_path / "demo"
    assert cli.main(["--data-dir", str(folder), "demo", "--people", "300", "--quiet"]) == 0
    identity = folder / "demo-township" / "township.agekey"
    assert identity.exists() and (folder / "demo-township" / "township.keys.txt").exists()
    stick = tmp_path / "stick"
    stick.mkdir()
    assert (
        cli.main(
            ["--data-dir", str(folder), "--user", "demo", "package", "export", "--out", str(stick), "--quiet"]
        )
        == 0
    )
    made = next(stick.glob("FHD_*.fhd"))
    content = members(open_with_age_cli(made, identity, tmp_path))
    assert len(rows(content, "person")) >= 250

    other = tmp_path / "demo2"
    assert (
        cli.main(
            [
                "--data-dir",
                str(other),
                "demo",
                "--people",
                "300",
                "--quiet",
                "--village-code",
                "620422103202",
                "--village-name",
                "白塔村",
            ]
        )
        == 0
    )
    assert (
        cli.main(
            ["--data-dir", str(other), "--user", "demo", "package", "export", "--out", str(stick), "--quiet"]
        )
        == 0
    )
    second = next(stick.glob("FHD_620422103202_*.fhd"))
    content2 = members(open_with_age_cli(second, identity, tmp_path))
    names = {p["data"]["name"] for p in rows(content, "person")}
    names2 = {p["data"]["name"] for p in rows(content2, "person")}
    assert json.loads(content2["manifest.json"])["origin"]["name"] == "白塔村"
    assert names != names2  # another village of the same township: other people


def test_the_enrolment_sheet_prints_the_fingerprints_and_a_qr_code_of_the_keys(village, tmp_path):
    from pypdf import PdfReader

    from app.sync.enrolment import sheet_name, write_sheet

    zbar = shutil.which("zbarimg")
    pdftoppm = shutil.which("pdftoppm")
    own, _ = keys.read_keys(village.db)
    sheet = write_sheet(village.db, own, tmp_path / sheet_name(own), printed_on=TODAY)
    text = PdfReader(sheet).pages[0].extract_text()
    assert keys.read_aloud(own.sign_id) in text and keys.read_aloud(own.age_id) in text
    assert "红星村" in text and "620422103201" in text
    if zbar is None or pdftoppm is None:
        pytest.skip(
            "zbarimg/pdftoppm are not installed (Debian zbar-tools, poppler-utils): the QR code is not read"
        )
    subprocess.run([pdftoppm, "-r", "150", "-png", str(sheet), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(
        [zbar, "-q", "--raw", str(next(tmp_path.glob("page*.png")))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert keys.parse_public_keys(scanned) == keys.PublicKeys(own.node, "", "village", own.age, own.sign)


def _zip_one(name: str, data: bytes, **info_options) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        for key, value in info_options.items():
            setattr(info, key, value)
        z.writestr(info, data)
    return out.getvalue()


def test_the_zip_reader_refuses_what_a_lying_directory_or_an_odd_member_hides():
    from app.sync.container import PackageRejected, read_zip

    # a bomb whose directory claims a compressed size 200 times smaller than the real inflated size
    bomb = bytearray(_zip_one("report/x.json", b"0" * 40_000_000))
    central = bomb.rfind(b"PK\x01\x02")
    real = int.from_bytes(bomb[central + 24 : central + 28], "little")
    bomb[central + 20 : central + 24] = (real // 200 + 1).to_bytes(4, "little")
    with pytest.raises(PackageRejected) as e:
        read_zip(bytes(bomb))
    assert e.value.msg_id in ("sync.reject_ratio", "sync.reject_bad_member")
    # a member marked encrypted, a name with a trailing newline, an unknown compression: refused, not a crash
    encrypted = bytearray(_zip_one("data/person.jsonl", b"{}\n"))
    for marker, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the "encrypted" flag, in both headers
        at = encrypted.find(marker) + offset
        encrypted[at] |= 0x1
    for odd in (
        bytes(encrypted),
        _zip_one("manifest.json\n", b"{}"),
        _zip_one("data/person.jsonl", b"{}\n", compress_type=zipfile.ZIP_BZIP2),
    ):
        with pytest.raises(PackageRejected):
            read_zip(odd)
