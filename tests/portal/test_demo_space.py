"""The demo prints a sign-in link whose space shows a reservation to pay, a paid booking and
a request pending approval."""

from __future__ import annotations

import pytest

from tentative.demo import create_demo
from tests.portal.helpers import path_of

pytestmark = pytest.mark.django_db


def test_the_demo_link_opens_camille_s_space(client):
    printed = create_demo()
    [url] = [v for k, v in printed.items() if k.startswith("personal space of")]
    assert (
        client.post(path_of(url).split("?")[0], {"sesame": url.split("sesame=")[1]}).status_code
        == 302
    )
    text = client.get("/o/demo/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reservations to pay or confirm" in text
    assert "Requests pending approval" in text
    assert "Confirmed" in text
