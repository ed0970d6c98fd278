"""Production settings pass Django's deployment checklist, every warning included."""

import secrets

from tests.helpers import akhbar


def test_production_settings_pass_check_deploy(tmp_path):
    production = {"AKHBAR_HTTPS": "1", "AKHBAR_SECRET_KEY": secrets.token_urlsafe(50),
                  "AKHBAR_ALLOWED_HOSTS": "akhbar.example", "AKHBAR_DEBUG": "0"}
    process = akhbar(tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING", extra_env=production,
                     stdout=-1, stderr=-2)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output.decode()
    assert "no issues" in output.decode()


def test_the_embedded_default_is_flagged_by_the_checklist(tmp_path):
    # Without TLS the checklist must complain: the test above would pass for nothing if it never did.
    process = akhbar(tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING", stdout=-1, stderr=-2)
    output, _ = process.communicate(timeout=120)
    assert process.returncode != 0 and "security.W004" in output.decode()
