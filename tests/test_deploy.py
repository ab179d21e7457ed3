"""`paperfeed deploy`: what it uploads and deletes (the plan, pure), and real deploys of a
built feed to a real S3 server on 127.0.0.1 (s3rver: see s3server.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import Site
from paperfeed.cli import main
from paperfeed.deploy import run
from paperfeed.deploy.headers import LONG, SHORT, cache_control, content_type
from paperfeed.deploy.plan import (
    MANIFEST,
    Deployed,
    LocalFile,
    ManifestError,
    RemoteObject,
    dump_manifest,
    load_manifest,
    plan,
    scan,
    to_check,
)
from paperfeed.deploy.s3 import Bucket, DeployError, parse_target
from s3server import BUCKET, S3Server, s3_server
from test_workflows import check_jsonschema, serious, zizmor

# --- headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("papers/1503.03832/index.html", "text/html; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("tags/llm/atom.xml", "application/xml; charset=utf-8"),
        ("feed.json", "application/json"),
        ("feeds.opml", "text/x-opml; charset=utf-8"),
        ("assets/javascripts/bundle.a5f9d56c.min.js", "text/javascript; charset=utf-8"),
        ("assets/stylesheets/main.57a0d79d.min.css", "text/css; charset=utf-8"),
        ("assets/images/favicon.png", "image/png"),
        ("site.webmanifest", "application/manifest+json"),
        ("sitemap.xml.gz", "application/gzip"),
        ("pagefind/pagefind.en_aeb34c5a2e.pf_meta", "application/octet-stream"),
        ("pagefind/index/en_55d6b34.pf_index", "application/octet-stream"),
        ("pagefind/fragment/en_141e311.pf_fragment", "application/octet-stream"),
        ("pagefind/filter/en_3a363ee.pf_filter", "application/octet-stream"),
        ("pagefind/wasm.en.pagefind", "application/octet-stream"),
        ("notes.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(path: str, expected: str) -> None:
    assert content_type(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("assets/javascripts/bundle.a5f9d56c.min.js", LONG),
        ("assets/javascripts/bundle.a5f9d56c.min.js.map", LONG),
        ("pagefind/pagefind.en_aeb34c5a2e.pf_meta", LONG),
        ("pagefind/fragment/en_141e311.pf_fragment", LONG),
        ("pagefind/pagefind.js", SHORT),
        ("pagefind/pagefind-entry.json", SHORT),
        ("pagefind/wasm.en.pagefind", SHORT),
        ("assets/javascripts/paperfeed.js", SHORT),
        ("index.html", SHORT),
        ("feed.xml", SHORT),
        # a number or a date in a name is not a hash
        ("papers/1503.03832/index.html", SHORT),
        ("archive.20241127.html", SHORT),
        ("report.deadbeef.txt", SHORT),
    ],
)
def test_only_files_named_by_their_hash_are_kept_long(path: str, expected: str) -> None:
    assert cache_control(path) == expected


# --- the plan --------------------------------------------------------------------------


def local(path: str, md5: str = "m1", sha: str = "s1") -> LocalFile:
    return LocalFile(path, md5, sha, 10, content_type(path), cache_control(path))


def deployed(file: LocalFile, etag: str) -> Deployed:
    return Deployed(file.sha256, etag, file.content_type, file.cache_control)


def test_files_with_the_same_md5_as_their_object_are_left_alone() -> None:
    page, asset = local("index.html"), local("a.123abc45.js", md5="m2", sha="s2")
    remote = {"index.html": RemoteObject("m1"), "a.123abc45.js": RemoteObject("old")}
    manifest = {
        "index.html": deployed(page, "m1"),
        "a.123abc45.js": Deployed("s-old", "old", asset.content_type, asset.cache_control),
    }
    decided = plan([page, asset], remote, manifest)
    assert decided.unchanged == [page] and decided.uploads == [asset]


def test_where_etags_are_not_md5s_the_manifest_tells_what_is_unchanged() -> None:
    same, edited = local("a.html", sha="s1"), local("b.html", sha="s2-new")
    remote = {"a.html": RemoteObject("x-2"), "b.html": RemoteObject("y-2")}
    manifest = {
        "a.html": deployed(same, "x-2"),
        "b.html": Deployed("s2-old", "y-2", edited.content_type, edited.cache_control),
    }
    decided = plan([same, edited], remote, manifest)
    assert decided.unchanged == [same] and decided.uploads == [edited]
    # an object replaced behind paperfeed's back has another ETag: uploaded again
    remote["a.html"] = RemoteObject("z-1")
    assert plan([same], remote, manifest).uploads == [same]


def test_a_file_whose_headers_changed_is_uploaded_again() -> None:
    file = local("feed.json")
    manifest = {"feed.json": Deployed("s1", "m1", "text/plain", file.cache_control)}
    assert plan([file], {"feed.json": RemoteObject("m1")}, manifest).uploads == [file]


def test_objects_no_manifest_describes_are_asked_for_their_headers() -> None:
    """An interrupted deploy wrote no manifest: what it uploaded is found by ETag, and
    its headers are read from the store, not guessed."""
    done, foreign, missing = local("a.html"), local("b.html"), local("c.html")
    remote = {"a.html": RemoteObject("m1"), "b.html": RemoteObject("m1")}
    assert to_check([done, foreign, missing], remote, {}) == ["a.html", "b.html"]
    remote["a.html"] = RemoteObject("m1", done.content_type, done.cache_control)
    remote["b.html"] = RemoteObject("m1", "binary/octet-stream", None)
    decided = plan([done, foreign, missing], remote, {})
    assert decided.unchanged == [done] and decided.uploads == [foreign, missing]
    # with a manifest entry for the same ETag, nothing needs asking
    assert to_check([done], {"a.html": RemoteObject("m1")}, {"a.html": deployed(done, "m1")}) == []


def test_pages_and_entry_files_go_last_and_what_left_the_site_is_deleted() -> None:
    names = ["index.html", "pagefind/pagefind-entry.json", "pagefind/index/en_1a2b3c4.pf_index"]
    site = [local(name) for name in names]
    remote = {"gone/index.html": RemoteObject("g"), MANIFEST: RemoteObject("x")}
    decided = plan(site, remote, {})
    assert [f.path for f in decided.upload] == ["pagefind/index/en_1a2b3c4.pf_index"]
    assert [f.path for f in decided.upload_last] == names[:2]
    assert decided.delete == ["gone/index.html"]  # never the manifest
    assert plan(site, remote, {}, delete=False).delete == []


def test_the_manifest_reads_back_and_a_foreign_one_is_refused() -> None:
    manifest = {"a.html": Deployed("s", "e", "text/html", SHORT)}
    assert load_manifest(dump_manifest(manifest), "here") == manifest
    with pytest.raises(ManifestError, match="cannot be read"):
        load_manifest(b'{"version": 99, "files": {}}', "s3://b/p/.paperfeed-deploy.json")


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://feed", "feed", ""),
        ("s3://feed/", "feed", ""),
        ("s3://my.feed/a/b/", "my.feed", "a/b"),
    ],
)
def test_targets(url: str, bucket: str, prefix: str) -> None:
    target = parse_target(url)
    assert (target.bucket, target.prefix) == (bucket, prefix)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://feed.example.org/", "not an S3 address"),
        ("s3://", "not a bucket name"),
        ("s3://Feed_Bucket/x", "not a bucket name"),
        ("s3://feed/a//b", "empty, '.' or '..'"),
        ("s3://feed/../b", "empty, '.' or '..'"),
    ],
)
def test_bad_targets(url: str, says: str) -> None:
    with pytest.raises(DeployError, match=says):
        parse_target(url)


# --- real deploys ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_aws_of_the_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test sets: no credentials from files or instance metadata."""
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


def feed(root: Path) -> Site:
    site = Site(root)
    for i in range(6):
        site.add(
            id=f"p{i}",
            title=f"Paper number {i}",
            authors=[f"Author {i % 3}"],
            tags=[f"tag-{i % 4}"],
            upvotes=i,
        )
    return site


def deploy(server: S3Server, *args: str) -> Result:
    return CliRunner().invoke(main, ["deploy", *args], env=server.env())


def uploaded(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {key for key, written in after.items() if before.get(key) != written}


def test_a_first_deploy_uploads_the_site_with_its_headers_and_a_second_nothing(
    s3: S3Server, tmp_path: Path
) -> None:
    site = feed(tmp_path)
    built = site.build()
    count = len(scan(built))
    result = deploy(s3, "s3://feed/first", "--site-dir", str(built))
    assert result.exit_code == 0, result.output
    assert f"uploaded {count} files" in result.output
    objects = s3.objects("first/")
    assert sorted(objects) == sorted(
        [f"first/{f.path}" for f in scan(built)] + [f"first/{MANIFEST}"]
    )
    page = objects["first/papers/p1/index.html"]
    assert (page["ContentType"], page["CacheControl"]) == ("text/html; charset=utf-8", SHORT)
    assert "ContentEncoding" not in page
    meta = next(k for k in objects if k.startswith("first/pagefind/pagefind.en_"))
    assert objects[meta]["CacheControl"] == LONG and "ContentEncoding" not in objects[meta]
    assert objects["first/feed.xml"]["ContentType"] == "application/xml; charset=utf-8"
    assert (built / "papers/p1/index.html").read_bytes() == s3.client().get_object(
        Bucket=BUCKET, Key="first/papers/p1/index.html"
    )["Body"].read()

    before = s3.written("first/")
    again = deploy(s3, "s3://feed/first", "--site-dir", str(built))
    assert again.exit_code == 0, again.output
    assert f"uploaded 0 files (0 bytes), deleted 0, {count} unchanged" in again.output
    assert uploaded(before, s3.written("first/")) == set()


def test_after_one_edited_paper_only_the_pages_that_show_it_are_uploaded(
    s3: S3Server, tmp_path: Path
) -> None:
    site = feed(tmp_path)
    site.build()
    assert deploy(s3, "s3://feed/edit", "--site-dir", str(site.site_dir)).exit_code == 0
    total = len(scan(site.site_dir))
    site.add(id="p2", title="Paper number 2, revised", authors=["Author 2"], tags=["tag-2"])
    site.build()
    before = s3.written("edit/")
    result = deploy(s3, "s3://feed/edit", "--site-dir", str(site.site_dir))
    assert result.exit_code == 0, result.output
    changed = uploaded(before, s3.written("edit/")) - {f"edit/{MANIFEST}"}
    assert f"uploaded {len(changed)} files" in result.output
    assert "edit/papers/p2/index.html" in changed
    assert "edit/papers/p4/index.html" not in changed
    # the paper's page, the lists and feeds that show its title, the search index's
    # part for it: a fraction of the site
    assert len(changed) < total / 3, sorted(changed)


def test_a_removed_papers_page_is_deleted_after_a_dry_run_that_says_so(
    s3: S3Server, tmp_path: Path
) -> None:
    site = feed(tmp_path)
    site.build()
    assert deploy(s3, "s3://feed/rm", "--site-dir", str(site.site_dir)).exit_code == 0
    (site.papers / "p3.yaml").unlink()
    site.build()
    before = s3.written("rm/")
    dry = deploy(s3, "s3://feed/rm", "--site-dir", str(site.site_dir), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "delete papers/p3/index.html" in dry.output.splitlines()
    assert "upload index.html (text/html; charset=utf-8; public, max-age=300)" in dry.output
    assert s3.written("rm/") == before  # nothing done

    kept = deploy(s3, "s3://feed/rm", "--site-dir", str(site.site_dir), "--no-delete")
    assert kept.exit_code == 0 and "deleted 0" in kept.output
    assert "rm/papers/p3/index.html" in s3.written("rm/")

    result = deploy(s3, "s3://feed/rm", "--site-dir", str(site.site_dir))
    assert result.exit_code == 0, result.output
    left = s3.written("rm/")
    gone = set(before) - set(left)  # the page, its tag's page and feeds, its search record
    assert f"deleted {len(gone)}," in result.output and len(gone) < 15
    assert "rm/papers/p3/index.html" not in left and "rm/papers/p2/index.html" in left
    assert sorted(left) == sorted(
        [f"rm/{f.path}" for f in scan(site.site_dir)] + [f"rm/{MANIFEST}"]
    )


class Interrupted(Exception):
    pass


def test_an_interrupted_deploy_run_again_uploads_only_what_it_had_not(
    s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = feed(tmp_path)
    built = site.build()
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    target = parse_target("s3://feed/resume")
    upload = Bucket.upload
    calls = 0

    def dies_after_40(self: Bucket, site_dir: Path, file: LocalFile) -> str:
        nonlocal calls
        calls += 1
        if calls > 40:
            raise Interrupted  # the runner's machine went away
        return upload(self, site_dir, file)

    monkeypatch.setattr(Bucket, "upload", dies_after_40)
    with pytest.raises(Interrupted):
        run.deploy(built, target, workers=1)
    first = s3.written("resume/")
    assert len(first) == 40 and f"resume/{MANIFEST}" not in first
    monkeypatch.setattr(Bucket, "upload", upload)

    outcome = run.deploy(built, target)
    total = len(scan(built))
    assert outcome.checked == 40  # their headers read back, as no manifest tells them
    assert outcome.uploaded == total - 40
    after = s3.written("resume/")
    assert uploaded(first, after) == {k for k in after if k not in first}
    assert len(after) == total + 1


def test_failures_are_one_line_and_status_1(s3: S3Server, tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    (site_dir / "index.html").parent.mkdir()
    (site_dir / "index.html").write_text("<p>hi</p>")
    runner = CliRunner()

    def fails(args: list[str], env: dict[str, str], says: str) -> None:
        result = runner.invoke(main, ["deploy", *args], env=env)
        assert result.exit_code == 1, result.output
        assert says in result.output and "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit)  # no other exception escaped

    ok = ["s3://feed/errors", "--site-dir", str(site_dir)]
    fails(["s3://feed/x", "--site-dir", str(tmp_path / "nope")], s3.env(), "no built site")
    fails(["ftp://feed", "--site-dir", str(site_dir)], s3.env(), "not an S3 address")
    no_keys = {k: v for k, v in s3.env().items() if not k.startswith("AWS_ACCESS")}
    no_keys.pop("AWS_SECRET_ACCESS_KEY")
    fails(ok, no_keys, "no credentials for the store")
    fails(ok, s3.env(AWS_ACCESS_KEY_ID="SOMEONE-ELSE"), "access denied (InvalidAccessKeyId)")
    fails(["s3://no-such-bucket", "--site-dir", str(site_dir)], s3.env(), "no bucket")
    closed = s3.env(AWS_ENDPOINT_URL="http://127.0.0.1:9")
    fails(ok, closed, "cannot reach http://127.0.0.1:9")


def test_site_dir_comes_from_mkdocs_yml(s3: S3Server, tmp_path: Path) -> None:
    (tmp_path / "built" / "index.html").parent.mkdir()
    (tmp_path / "built" / "index.html").write_text("<p>hi</p>")
    (tmp_path / "mkdocs.yml").write_text("site_name: X\nsite_dir: !ENV [NOPE, built]\n")
    result = CliRunner().invoke(
        main,
        ["deploy", "s3://feed/cfg", "--config-file", str(tmp_path / "mkdocs.yml")],
        env=s3.env(),
    )
    assert result.exit_code == 0, result.output
    assert "uploaded 1 files" in result.output
    assert "cfg/index.html" in s3.written("cfg/")


def test_the_s3_workflow_passes_githubs_schema_and_zizmor(tmp_path: Path) -> None:
    workflow = files("paperfeed.deploy").joinpath("deploy-s3.yml")
    target = tmp_path / ".github" / "workflows" / "deploy-s3.yml"
    target.parent.mkdir(parents=True)
    target.write_text(workflow.read_text(encoding="utf-8"), encoding="utf-8")
    text = target.read_text()
    assert 'paperfeed deploy "$S3_URL"' in text and "secrets.AWS_SECRET_ACCESS_KEY" in text
    assert "pip install --require-hashes --no-build-isolation -r requirements.txt" in text
    result = check_jsonschema("vendor.github-workflows", target)
    assert result.returncode == 0, result.stdout
    findings, _ = zizmor(tmp_path / ".github")
    assert serious(findings) == []


def whole(s3: S3Server, prefix: str, site_dir: Path) -> dict[str, int]:
    """The objects under `prefix` that hold their whole file, by when each was written:
    the kill can cut a body off and leave a short object the next deploy must redo."""
    listed = s3.objects(prefix)

    def complete(key: str) -> bool:
        local = (site_dir / key.removeprefix(prefix)).read_bytes()
        return listed[key]["ETag"].strip('"') == hashlib.md5(local).hexdigest()

    return {
        key: when for key, when in s3.written(prefix).items() if key in listed and complete(key)
    }


def test_a_deploy_killed_half_way_run_again_uploads_only_the_rest(
    s3: S3Server, tmp_path: Path
) -> None:
    """The same, with the process itself killed (SIGKILL) while it uploads."""
    site_dir = tmp_path / "site"
    for i in range(600):
        page = site_dir / f"p{i:03d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>page {i}</p>")
    command = [sys.executable, "-m", "paperfeed.cli", "deploy", "s3://feed/killed"]
    child = subprocess.Popen(
        [*command, "--site-dir", str(site_dir), "--jobs", "1"],
        env={**os.environ, **s3.env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while len(s3.written("killed/")) < 51 and time.monotonic() < deadline:
            assert child.poll() is None, "the deploy ended before it could be killed"
            time.sleep(0.01)
    finally:
        child.kill()
        child.wait()
    there = whole(s3, "killed/", site_dir)
    assert 50 <= len(there) < 600 and f"killed/{MANIFEST}" not in there

    with pytest.MonkeyPatch.context() as env:
        for name, value in s3.env().items():
            env.setenv(name, value)
        outcome = run.deploy(site_dir, parse_target("s3://feed/killed"))
    assert outcome.checked == len(there) and outcome.uploaded == 600 - len(there)
    after = s3.written("killed/")
    assert {key for key in there if after[key] != there[key]} == set()
    assert len(after) == 601
