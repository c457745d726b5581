"""Every page a demo user can reach from the dashboard, read by a Vietnamese browser, is in Vietnamese: no text is an
English message of our catalog (one whose translation differs), an English name from the BPMN files, or a message the
libraries write themselves (WTForms, Flask-Login); and every creation form, sent empty, answers in Vietnamese.

The crawl follows same-origin links (GET) from the dashboard, a few pages per route (ids and queries aside), and reads
the visible text of HTML pages: text nodes, and the title, placeholder, aria-label and alt attributes."""

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po

from inspect_app.core.config import PROJECT_ROOT
from inspect_app.core.extensions import db
from inspect_app.demo.organisation import DEMO_PASSWORD, USERS
from inspect_app.models import User
from tests.helpers import post_login
from workflows.names import looks_vietnamese

CATALOG = PROJECT_ROOT / "inspect_app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
BPMN_FILES = sorted((PROJECT_ROOT / "bpmn").glob("*.bpmn"))
PAGES_PER_ROUTE = 3
VIETNAMESE = {"Accept-Language": "vi"}
# Links that end the session or change something on a GET, and files that are not pages.
SKIPPED = re.compile(r"^/(logout|static/)|\.(pdf|xlsx|csv|json|yaml|bpmn)$|/files/|/evidence/")
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{\w+\}")
# Creation forms, by where they post: sent empty, with nothing but their CSRF token.
CREATION_FORM = re.compile(r"/(new|import)$|/admin/processes/$|/tokens$|/findings$|/adjustments$|/survey$")


# --- what may not appear ----------------------------------------------------------------------------------------------


def english_messages() -> list[str]:
    """Every English message of our catalog whose Vietnamese differs (the library messages are in it too)."""
    with open(CATALOG, "rb") as po:
        catalog = read_po(po, locale="vi")
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = (message.string,) if isinstance(message.string, str) else message.string
        found += [english for english in ids if english not in strings]
    return found


def library_messages() -> list[str]:
    """WTForms' and Flask-Login's own messages, as the libraries ship them."""
    import flask_login
    import wtforms

    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with open(pot, "rb") as file:
        messages = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id]
    return [*messages, flask_login.login_manager.LOGIN_MESSAGE, flask_login.login_manager.REFRESH_MESSAGE]


def bpmn_english_names() -> list[str]:
    names = []
    for path in BPMN_FILES:
        names += re.findall(r'name="name:en" value="([^"]+)"', path.read_text(encoding="utf-8"))
    return names


def pattern_of(message: str) -> str:
    """A message with its placeholders as wildcards, whitespace as any whitespace."""
    parts = PLACEHOLDER.split(" ".join(message.split()))
    return r".+?".join(r"\s+".join(map(re.escape, part.split(" "))) for part in parts)


class Forbidden:
    """The English a Vietnamese page may not show: a whole text that is one, or a longer one written inside a text."""

    def __init__(self):
        self.sources = {}
        for source, messages in (
            ("catalog", english_messages()),
            ("library", library_messages()),
            ("BPMN", bpmn_english_names()),
        ):
            for message in messages:
                if message.strip() and not looks_vietnamese(message):
                    self.sources.setdefault(" ".join(message.split()), source)
        whole = [pattern_of(message) for message in self.sources]
        self.whole = re.compile("|".join(f"(?:{pattern})" for pattern in sorted(whole, key=len, reverse=True)))
        # Inside longer text only messages of three words or more: shorter English ("PDF", "OK", a code) is too
        # often part of a Vietnamese sentence or a name.
        inside = [pattern_of(message) for message in self.sources if len(PLACEHOLDER.sub("", message).split()) >= 3]
        self.inside = re.compile(
            "|".join(rf"(?<![\w-])(?:{pattern})(?![\w-])" for pattern in sorted(inside, key=len, reverse=True))
        )

    def found_in(self, texts: list[str]) -> list[str]:
        found = []
        for text in texts:
            if self.whole.fullmatch(text):
                found.append(text)
            else:
                found += [match.group(0) for match in self.inside.finditer(text)]
        return found


@pytest.fixture(scope="module")
def forbidden() -> Forbidden:
    return Forbidden()


# --- reading pages ----------------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """The visible texts, the links and the POST forms of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "template", "noscript"):
            self._hidden_depth += 1
        self.texts += [" ".join(attributes[name].split()) for name in VISIBLE_ATTRIBUTES if attributes.get(name)]
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(attributes["href"])
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self.forms.append({"action": attributes.get("action") or "", "fields": {}, "visible": 0})
        if tag in ("input", "select", "textarea") and self.forms:
            form = self.forms[-1]
            kind = (attributes.get("type") or "text").lower()
            if attributes.get("name") == "csrf_token":
                form["fields"]["csrf_token"] = attributes.get("value", "")
            elif kind not in ("hidden", "submit", "button"):
                form["visible"] += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "noscript") and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._hidden_depth:
            self.texts.append(text)


def read(response) -> Page:
    page = Page()
    page.feed(response.get_data(as_text=True))
    return page


def route_of(path: str) -> str:
    """The route a path is a page of: ids and codes replaced, so that a few of each kind are visited."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def crawl(client, forbidden: Forbidden) -> tuple[dict[str, list[str]], dict[str, dict], int]:
    """Visit what the signed-in user can reach from the dashboard; the English found on each page, the creation
    forms (one per route they post to, with their CSRF token), and how many pages were read."""
    seen, per_route, problems, creation_forms = set(), {}, {}, {}
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        response = client.get(url, headers=VIETNAMESE)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = read(response)
        english = forbidden.found_in(page.texts)
        if english:
            problems[url] = sorted(set(english))
        for form in page.forms:
            action = urlsplit(urljoin(f"http://localhost{url}", form["action"] or url)).path
            if form["visible"] and CREATION_FORM.search(action):
                creation_forms.setdefault(route_of(action), (action, form["fields"]))
        for href in page.links:
            target = urlsplit(urljoin(f"http://localhost{url}", href))
            if target.netloc != "localhost" or SKIPPED.search(target.path):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            route = route_of(target.path)
            if link in seen or per_route.get(route, 0) >= PAGES_PER_ROUTE:
                continue
            seen.add(link)
            per_route[route] = per_route.get(route, 0) + 1
            queue.append(link)
    return problems, creation_forms, len(seen) + 1


def sign_in_in_vietnamese(client, username: str) -> None:
    user = db.session.scalars(db.select(User).where(User.username == username)).one()
    user.language = "vi"
    db.session.commit()
    response = post_login(client, username, DEMO_PASSWORD)
    assert response.status_code == 302, f"{username} could not sign in"


@pytest.mark.parametrize("username", [user[0] for user in USERS])
def test_every_page_a_demo_user_reaches_is_in_vietnamese(client, demo, forbidden, username):
    sign_in_in_vietnamese(client, username)

    problems, creation_forms, visited = crawl(client, forbidden)

    assert visited > 5, "the dashboard links to the user's work"
    assert not problems, f"English on the pages of {username}:\n" + "\n".join(
        f"{url}: {found}" for url, found in sorted(problems.items())
    )
    # Every creation form sent empty refuses in Vietnamese.
    for action, fields in creation_forms.values():
        response = client.post(action, data=fields, headers=VIETNAMESE, follow_redirects=True)
        answer = read(response)
        errors = forbidden.found_in(answer.texts)
        assert not errors, f"{username}: {action} sent empty answers in English: {errors}"
        # Refused: the form again (400, 422), or back where it was with the reason flashed.
        html = response.get_data(as_text=True)
        assert response.status_code in (400, 422) or "flash-error" in html, f"{username}: {action} took an empty form"
        assert "field-error" in html or "flash-error" in html, f"{username}: {action} refused without saying why"
