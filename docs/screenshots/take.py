"""
Takes the screenshots of the desk features in docs/ (and the README) from a demo site: a throwaway SQLite
database with `load_demo`, served by runserver, photographed by Debian's chromium through Playwright.

    .venv/bin/python docs/screenshots/take.py        # writes docs/screenshots/*.png

Two-factor is switched off for the demo users here (OTP_REQUIRED_ROLES=""): the pictures are of the desk,
not of the enrolment page.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

PROJECT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=PROJECT, env=env, check=True, capture_output=True, text=True
    ).stdout


def wait_for(url, seconds=30):
    for _ in range(seconds * 10):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the demo server did not answer at {url}")


def log_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-dev-only")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page


def main():
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-shots-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{workdir}/demo.sqlite3",
        "MEDIA_ROOT": str(workdir / "media"),
        "OTP_REQUIRED_ROLES": "",
        "TASKS_BACKEND": "immediate",
        "ARTICLE_AUTOSAVE_SECONDS": "2",
        "LIVE_POLL_SECONDS": "2",
        "SITE_URL": base,
    }
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "--noinput")
    demo = manage(env, "load_demo")
    live_blog = re.search(r"Live blog: (\S+)", demo).group(1)
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            shoot(browser, base, live_blog)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"screenshots in {OUT}")


def shoot(browser, base, live_blog):
    editor = log_in(browser, base, "editor")
    editor.goto(f"{base}/admin/planning/story/budget/")
    editor.screenshot(path=OUT / "budget.png", full_page=True)
    editor.goto(f"{base}/admin/planning/story/week/")
    editor.screenshot(path=OUT / "budget-week.png", full_page=True)
    editor.goto(f"{base}/admin/redirects/redirect/")
    editor.screenshot(path=OUT / "redirects.png")

    # Bulk actions: tick two articles, ask to add a tag; the intermediate form.
    editor.goto(f"{base}/admin/articles/article/")
    boxes = editor.locator("input.action-select")
    boxes.nth(0).check()
    boxes.nth(1).check()
    editor.select_option("select[name=action]", value="bulk_add_tag")
    editor.click("button[name=index]")
    editor.screenshot(path=OUT / "bulk-add-tag.png")

    # Autosave and presence: the publisher types, a colleague opens the same article.
    reporter = log_in(browser, base, "publisher")
    reporter.goto(f"{base}/admin/articles/article/")
    reporter.locator("#result_list tbody th a").first.click()
    change = reporter.url
    reporter.fill("#id_headline", "Harbour bridge reopens after a year of repairs")
    reporter.locator(".prose-editor .ProseMirror[contenteditable]").click()
    expect(reporter.locator(".autosave-status")).to_contain_text("Autosaved at", timeout=20_000)
    editor.goto(change)
    expect(reporter.locator(".autosave-others")).to_contain_text("Also open by", timeout=20_000)
    reporter.evaluate("window.scrollTo(0, 0)")
    reporter.screenshot(path=OUT / "autosave-presence.png")
    reporter.once("dialog", lambda dialog: dialog.accept())
    reporter.reload()
    reporter.screenshot(path=OUT / "autosave-restore.png")

    reader = browser.new_context(viewport={"width": 1100, "height": 1400}).new_page()
    reader.goto(live_blog)
    reader.screenshot(path=OUT / "live-blog.png")


if __name__ == "__main__":
    main()
