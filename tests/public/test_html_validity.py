"""Every public page is valid HTML: the Nu HTML checker (vnu-jar) reports no errors."""

import json
import subprocess

PAGE_STATUS = {"404": 404}


def validate(vnu_command, files):
    """Run the checker once over all files (JVM start-up dominates); return {file name: [error text]}."""
    result = subprocess.run(
        [*vnu_command, "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), f"vnu crashed ({result.returncode}): {result.stderr[-2000:]}"
    errors = {file.name: [] for file in files}
    for message in json.loads(result.stderr)["messages"]:
        name = message.get("url", "").rsplit("/", 1)[-1]
        where = f"line {message.get('lastLine', '?')}: " if "lastLine" in message else ""
        errors.setdefault(name, []).append(f"{where}{message['message']} [{message.get('extract', '')!r}]")
    return errors


def test_public_pages_have_no_html_errors(client, public_site, vnu_command, tmp_path):
    files = []
    for name, path in public_site.items():
        response = client.get(path)
        assert response.status_code == PAGE_STATUS.get(name, 200), path
        assert response["Content-Type"].startswith("text/html"), path
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)

    errors = validate(vnu_command, files)

    report = [f"{name}: {error}" for name, found in errors.items() for error in found]
    assert not report, "HTML errors:\n" + "\n".join(report)


def test_the_checker_reports_broken_markup(vnu_command, tmp_path):
    """The check above can fail: a page with a stray end tag and a duplicate id is reported."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html lang=en><head><title>x</title></head>"
        "<body><p id=a>one</div><p id=a>two</p></body></html>"
    )

    errors = validate(vnu_command, [page])

    assert len(errors["broken.html"]) >= 2
    assert any("Duplicate ID" in error for error in errors["broken.html"])
