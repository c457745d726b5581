"""Passwords are stored as scrypt hashes: the suite's cheap hashing never reaches a real deployment."""

from inspect_app import create_app
from inspect_app.core.config import Config
from inspect_app.models.users import hash_password


def test_a_deployed_app_hashes_passwords_with_scrypt(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "UPLOAD_DIR": str(tmp_path)})
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    with app.app_context():
        assert hash_password("correct horse").startswith("scrypt:")
