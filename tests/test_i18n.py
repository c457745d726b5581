"""Languages: the Vietnamese catalog covers the source, and the right language is chosen for each visitor."""

import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from inspect_app.core.config import PROJECT_ROOT
from inspect_app.core.extensions import db
from inspect_app.models import Role
from tests.helpers import csrf_token

CATALOG = PROJECT_ROOT / "inspect_app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
COMPILED = CATALOG.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[a-zA-Z]")


def source_messages() -> dict[tuple[str, ...], list[str]]:
    """Every translatable string in the code and templates, as `pybabel extract -F babel.cfg` finds it,
    mapped to where it was found."""
    with open(PROJECT_ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        ids = (message,) if isinstance(message, str) else tuple(message)
        found.setdefault(ids, []).append(f"{filename}:{lineno}")
    return found


def vietnamese_catalog():
    with open(CATALOG, "rb") as po:
        return read_po(po, locale="vi")


def msgid(message) -> str:
    """The singular msgid of a catalog entry."""
    return message.id if isinstance(message.id, str) else message.id[0]


def translations(message) -> tuple[str, ...]:
    """Every form of a catalog entry's translation (one for Vietnamese, which has no plural forms)."""
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def placeholders(*texts: str) -> set[str]:
    return {match for text in texts for match in PLACEHOLDER.findall(text)}


def test_every_source_string_has_a_vietnamese_translation():
    catalog = vietnamese_catalog()
    problems = []
    for ids, places in sorted(source_messages().items()):
        where = f"{ids[0]!r} ({places[0]})"
        entry = catalog.get(ids[0])
        if entry is None:
            problems.append(f"missing: {where}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {where}")
        entry_ids = (entry.id,) if isinstance(entry.id, str) else tuple(entry.id)
        if entry_ids != ids:
            problems.append(f"plural form differs from the source ({entry_ids!r}): {where}")
        texts = translations(entry)
        if len(texts) != catalog.num_plurals or not all(text.strip() for text in texts):
            problems.append(f"untranslated: {where}")
            continue
        for text in texts:
            if placeholders(text) != placeholders(*ids):
                problems.append(
                    f"placeholders {sorted(placeholders(text))} instead of {sorted(placeholders(*ids))}: {where}"
                )
    assert not problems, "vi/messages.po needs work (run `make extract-messages`, then translate):\n" + "\n".join(
        problems
    )


def test_the_vietnamese_catalog_keeps_no_obsolete_or_stray_entries():
    catalog = vietnamese_catalog()
    obsolete = sorted(msgid(message) for message in catalog.obsolete.values())
    assert not obsolete, f"delete the obsolete (#~) entries from vi/messages.po: {obsolete}"
    in_source = {ids[0] for ids in source_messages()}
    stray = sorted(msgid(message) for message in catalog if message.id and msgid(message) not in in_source)
    assert not stray, f"vi/messages.po translates strings the source no longer has: {stray}"
    assert "fuzzy" not in catalog.mime_headers and not catalog.fuzzy, "the catalog header is still marked fuzzy"


def test_the_served_catalog_is_compiled_from_the_current_po():
    assert COMPILED.exists(), f"{COMPILED.name} is missing: run `make translations`"
    with open(COMPILED, "rb") as mo:
        compiled = {msgid(message): translations(message) for message in read_mo(mo) if message.id}
    written = {msgid(message): translations(message) for message in vietnamese_catalog() if message.id}
    differs = sorted(key for key in written.keys() | compiled.keys() if written.get(key) != compiled.get(key))
    assert not differs, f"messages.mo is older than messages.po, run `make translations`: {differs}"


def sign_in_page(client, accept_language: str) -> str:
    return client.get("/login", headers={"Accept-Language": accept_language}).get_data(as_text=True)


def test_sign_in_page_follows_the_browser_language(client):
    vietnamese = sign_in_page(client, "vi")
    assert '<html lang="vi">' in vietnamese and "Đăng nhập" in vietnamese and "Mật khẩu" in vietnamese
    english = sign_in_page(client, "en-US,en;q=0.9")
    assert '<html lang="en">' in english and "Sign in" in english and "Password" in english
    assert "Đăng nhập" not in english


def test_sign_in_page_is_vietnamese_when_the_browser_names_no_supported_language(client):
    page = sign_in_page(client, "fr-FR,fr;q=0.9")
    assert '<html lang="vi">' in page and "Đăng nhập" in page
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page, "no Accept-Language header at all"


def test_a_signed_in_users_own_language_wins_over_the_browsers(client, create_user, sign_in):
    create_user("lan", Role.LEAD, language="vi")
    create_user("hung", Role.DIRECTOR, language="en")
    sign_in("lan")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="vi">' in page and "Bảng điều khiển" in page and "Đăng xuất" in page
    sign_in("hung")
    page = client.get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Dashboard" in page and "Sign out" in page


def test_the_footer_switch_changes_the_language_of_an_anonymous_visitor(client):
    vietnamese = {"Accept-Language": "vi"}
    assert '<html lang="vi">' in sign_in_page(client, "vi")
    form = {"language": "en", "next": "/login", "csrf_token": csrf_token(client)}
    response = client.post("/language", data=form, headers=vietnamese)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login", headers=vietnamese).get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page


def test_the_footer_switch_stores_the_choice_on_a_signed_in_user(client, create_user, sign_in):
    user = create_user("lan", Role.LEAD, language="vi")
    sign_in("lan")
    form = {"language": "en", "next": "/cases/", "csrf_token": csrf_token(client, "/")}
    response = client.post("/language", data=form, headers={"Accept-Language": "vi"})
    assert response.status_code == 302 and response.headers["Location"] == "/cases/"
    db.session.refresh(user)
    assert user.language == "en"
    page = client.get("/cases/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Cases" in page

    sign_in("lan")  # a new session on another device still opens in the user's language
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)


def test_an_unsupported_language_changes_nothing(client, create_user, sign_in):
    vietnamese = {"Accept-Language": "vi"}
    client.post("/language", data={"language": "en", "next": "/login", "csrf_token": csrf_token(client)})
    assert '<html lang="en">' in sign_in_page(client, "vi")
    form = {"language": "fr", "next": "/login", "csrf_token": csrf_token(client)}
    assert client.post("/language", data=form, headers=vietnamese).status_code == 302
    assert '<html lang="en">' in sign_in_page(client, "vi"), "the visitor's earlier choice stands"

    user = create_user("lan", Role.LEAD, language="vi")
    sign_in("lan")
    form = {"language": "fr", "next": "/", "csrf_token": csrf_token(client, "/")}
    assert client.post("/language", data=form, headers={"Accept-Language": "en"}).status_code == 302
    db.session.refresh(user)
    assert user.language == "vi"
    assert '<html lang="vi">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
