"""deploy/'s nginx site as shipped: nginx accepts it, and it lets through exactly the bodies the app accepts."""

import re
import shutil
import subprocess

import pytest

from inspect_app.core.config import Config
from tests.deploy.stack import CHECKOUT, DEPLOY, NEEDS_NGINX, NGINX, app_config, free_port, nginx_main_config, render

SITE = DEPLOY / "nginx" / "inspect.conf"
APP = DEPLOY / "nginx" / "inspect-app.conf"


def test_nginx_takes_bodies_up_to_the_app_s_upload_cap():
    size = re.search(r"^client_max_body_size (\d+)m;", APP.read_text(), re.MULTILINE)
    assert size, "inspect-app.conf sets client_max_body_size in MiB"
    assert int(size.group(1)) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH


@NEEDS_NGINX
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a test certificate")
def test_nginx_accepts_the_whole_site_with_its_https_server(tmp_path):
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "1", "-subj", "/CN=inspect.test", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    site = render(
        SITE,
        {
            f"{CHECKOUT}deploy/nginx/inspect-app.conf": str(app_config(tmp_path, tmp_path / "gunicorn.sock")),
            "/etc/ssl/inspect/fullchain.pem": str(certificate),
            "/etc/ssl/inspect/privkey.pem": str(key),
            # nginx -t binds the ports it would listen on: free loopback ones instead of 80 and 443.
            "listen 80;": f"listen 127.0.0.1:{free_port()};",
            "listen 443 ssl": f"listen 127.0.0.1:{free_port()} ssl",
            "listen [::]:80;": "",
            "listen [::]:443 ssl http2;": "",
        },
    )
    # -t reads every file the site names, certificates included.
    checked = subprocess.run(
        [NGINX, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(nginx_main_config(tmp_path, site))],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
