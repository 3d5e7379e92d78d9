"""
The admin's two-factor pages: enrolment (QR code, first code, recovery codes) and the code step after a
password login. Both are exempt from the two-factor middleware; everything else under /admin/ is not.
"""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user

from accounts import lockout, two_factor
from accounts.forms import TokenForm


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def redirect_to(view_name, next_url):
    return redirect(f"{reverse(view_name)}?{urlencode({'next': next_url})}")


def _render(request, template, **context):
    context = {**admin.site.each_context(request), "next": _next_url(request), **context}
    return TemplateResponse(request, template, context)


def qr_code_svg(data):
    """The QR code as an inline SVG drawn here: no image request, no script, nothing the CSP must allow."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return mark_safe(image.to_string(encoding="unicode"))  # our own markup; `data` is only encoded in it


@never_cache
@staff_member_required
def enrol(request):
    user = request.user
    if two_factor.has_device(user):
        # A second device would let whoever knows only the password skip the first: verify, or ask an
        # administrator for a reset (manage.py reset_2fa).
        if user.is_verified():
            return redirect(_next_url(request))
        return redirect_to("two_factor:verify", _next_url(request))
    device = two_factor.unconfirmed_totp_device(user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.cycle_key()
            django_otp.login(request, device)
            codes = two_factor.new_recovery_codes(user)
            return _render(request, "accounts/recovery_codes.html", title="Your recovery codes", codes=codes)
        form.add_error("token", "That code is not valid: check the time on your phone and try the next one.")
    return _render(
        request,
        "accounts/enrol.html",
        title="Set up two-factor authentication",
        form=form,
        qr_code=qr_code_svg(device.config_url),
        secret=b32encode(device.bin_key).decode(),
    )


@never_cache
@staff_member_required
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.has_device(user):
        return redirect_to("two_factor:enrol", _next_url(request))
    if lockout.is_locked_out(request, user):
        return lockout.lock_out(request, user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices_for_user(user):
            verified = django_otp.verify_token(user, device.persistent_id, token)
            if verified:
                request.session.cycle_key()
                django_otp.login(request, verified)
                lockout.code_passed(request, user)
                return redirect(_next_url(request))
        # A wrong code is a failed login (accounts/lockout.py): the code step is throttled like the password.
        if lockout.code_failed(request, user):
            return lockout.lock_out(request, user)
        form.add_error("token", "That code is not valid, or a recovery code that was already used.")
    return _render(request, "accounts/verify.html", title="Two-factor authentication", form=form)
