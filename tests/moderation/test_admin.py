"""The moderators' queue in the Django admin, and the same decisions from the command line."""

import json

import pytest

from akhbar.moderation import services
from akhbar.moderation.models import Action, ImageCase, ModerationEvent
from akhbar.moderation.selectors import image_is_blocked
from tests.helpers import akhbar_ok

pytestmark = pytest.mark.django_db


def reported(image, readers: int):
    for n in range(readers):
        services.image_report(image=image, reporter_key=f"r{n}", network_key=f"n{n}")


def test_the_queue_lists_reported_images_with_their_counts(admin_client, make_image, settings_threshold):
    image = make_image()
    reported(image, 2)
    page = admin_client.get("/admin/moderation/reportedimage/").content.decode()
    assert image.get_absolute_url() in page and ">2<" in page
    blocked = make_image(phash=0x5A5A_5A5A_1234_4321)  # another picture, so its block does not reach the first
    reported(blocked, 3)
    assert image.get_absolute_url() not in admin_client.get("/admin/moderation/blockedimage/").content.decode()
    assert blocked.get_absolute_url() in admin_client.get("/admin/moderation/blockedimage/").content.decode()


def test_a_moderator_sees_a_blocked_image_that_readers_cannot(admin_client, client, make_image, settings_threshold):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from akhbar.news.models import image_storage_name

    image = make_image()
    default_storage.save(image_storage_name(image.sha256, "m"), ContentFile(b"RIFF....WEBP"))
    services.image_block(image=image, actor="amina")
    assert client.get(image.get_absolute_url()).status_code == 410
    assert admin_client.get(image.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(("queue", "action", "blocked_after", "logged"), [
    ("reportedimage", "block", True, Action.BLOCK),
    ("blockedimage", "unblock", False, Action.UNBLOCK),
    ("blockedimage", "unblock_and_protect", False, Action.UNBLOCK),
    ("reportedimage", "clear_reports", None, Action.CLEAR_REPORTS),
])
def test_admin_actions_decide_and_are_logged_with_the_reason(
    admin_client, admin_user, make_image, settings_threshold, queue, action, blocked_after, logged,
):
    image = make_image()
    reported(image, 3 if queue == "blockedimage" else 1)
    response = admin_client.post(f"/admin/moderation/{queue}/", {
        "action": action, "_selected_action": [image.pk], "reason": "vu par la rédaction",
    })
    assert response.status_code == 302
    if blocked_after is not None:
        assert image_is_blocked(image.pk) is blocked_after
    event = ModerationEvent.objects.filter(image=image, action=logged).get()
    assert event.actor == admin_user.get_username() and "vu par la rédaction" in event.reason
    case = ImageCase.objects.get(image=image)
    assert case.protected is (action == "unblock_and_protect")
    if action == "clear_reports":
        assert case.reporters == 0


def test_the_audit_log_cannot_be_edited_or_deleted(admin_client, make_image, settings_threshold):
    image = make_image()
    services.image_block(image=image, actor="amina", reason="x")
    event = ModerationEvent.objects.get(image=image)
    assert admin_client.get("/admin/moderation/moderationevent/").status_code == 200
    assert admin_client.post(f"/admin/moderation/moderationevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ModerationEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_line_lists_blocks_and_unblocks(tmp_path):
    akhbar_ok(tmp_path, "manage", "migrate", "--verbosity", "0")
    script = (
        "from akhbar.news.models import Image;"
        "from akhbar.moderation import services;"
        "i = Image.objects.create(sha256='ab' * 32, phash=5, width=800, height=600, source_url='https://x.ma/a.jpg');"
        "[services.image_report(image=i, reporter_key=f'r{n}', network_key=f'n{n}') for n in range(2)]"
    )
    akhbar_ok(tmp_path, "manage", "shell", "-c", script)
    listed = json.loads(akhbar_ok(tmp_path, "moderation", "list", "--json"))
    assert [(row["image"], row["reporters"], row["blocked"]) for row in listed] == [("ab" * 8, 2, False)]
    assert "done" in akhbar_ok(tmp_path, "moderation", "block", "abababab", "--reason", "choquante", "--by", "amina")
    assert [row["image"] for row in json.loads(akhbar_ok(tmp_path, "moderation", "list", "--blocked", "--json"))] \
        == ["ab" * 8]
    assert "done" in akhbar_ok(tmp_path, "moderation", "unblock", "abababab", "--protect", "--reason", "erreur")
    assert json.loads(akhbar_ok(tmp_path, "moderation", "list", "--blocked", "--json")) == []
    log = akhbar_ok(tmp_path, "manage", "shell", "-c",
                    "from akhbar.moderation.models import ModerationEvent as E;"
                    "print([(e.action, e.actor, e.reason) for e in E.objects.order_by('id')])")
    assert "('block', 'amina', 'choquante')" in log and "unblock" in log and "protégée" in log
