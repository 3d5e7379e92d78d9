"""Driving the two-factor pages and admin forms over HTTP, as a browser and an authenticator app would."""

import re
from html.parser import HTMLParser

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

ENROL = "/admin/2fa/enrol/"
VERIFY = "/admin/2fa/verify/"


def current_token(device):
    """What the authenticator app shows now for `device` (the "scan" of its QR code)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol(client):
    """Enrolment end to end for the logged-in user: open the page, "scan", confirm; returns the codes."""
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    response = client.post(ENROL, {"token": current_token(device)})
    assert response.status_code == 200, response.content
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.text)


def verified_login(client, user):
    """Log `user` in with a password-less session and pass the code step with a fresh authenticator."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(VERIFY, {"token": current_token(device)})
    assert response.status_code == 302, response.content
    return device


class _FormReader(HTMLParser):
    """The fields a browser would submit from the form with id `form_id` (inputs, selects, textareas)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in {"submit", "button", "file", "image"}:
                self.data.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self.data[self._textarea][0] = self.data[self._textarea][0].removeprefix("\n")  # as browsers do
            self._textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def admin_form_data(response, **changes):
    """The POST body of the admin form on `response` as shown, with `changes` applied."""
    match = re.search(r'<form[^>]+id="([a-z_]+_form)"', response.text)
    reader = _FormReader(match.group(1))
    reader.feed(response.text)
    data = {name: values if len(values) != 1 else values[0] for name, values in reader.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    return data
