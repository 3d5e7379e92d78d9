"""
Who must use two-factor authentication in the admin (settings.OTP_REQUIRED_ROLES), and their devices.

Each entry of OTP_REQUIRED_ROLES is a group name ("Editor"), a permission ("articles.publish_article") or
the word "superuser"; matching any one of them makes two-factor required. Permissions are what the
workflow checks (desk/workflow.py), so a site that builds other roles from them is covered too.
"""

from django.conf import settings
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10


def is_required_for(user):
    if not user.is_authenticated:
        return False
    roles = settings.OTP_REQUIRED_ROLES
    if "superuser" in roles and user.is_superuser:
        return True
    if any(user.has_perm(role) for role in roles if "." in role):
        return True
    groups = [role for role in roles if "." not in role and role != "superuser"]
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def has_device(user):
    return any(True for _ in devices_for_user(user, confirmed=True))


def unconfirmed_totp_device(user):
    """The authenticator being enrolled: the same secret on every reload of the page until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def new_recovery_codes(user):
    """Ten single-use codes, replacing any earlier ones (they are shown once and stored only here)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remove_devices(user):
    """Every device of the user, confirmed or not (the lost-phone reset); returns how many."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)
